import { lazy, type ComponentType } from 'react';
import Overview from '../pages/Overview.js';
import { placeholder } from '../pages/Placeholder.js';

/**
 * Every page of the dashboard. Adding one is a file in src/pages plus an entry here: `path` is
 * a wouter pattern, `nav` puts it in the navigation (in this order) with an optional `g`-key
 * shortcut. Pages load on demand except the Overview (the first thing everyone opens).
 */
export interface PageRoute {
  path: string;
  title: string;
  nav?: { label: string; key?: string; soon?: boolean };
  component: ComponentType;
  /** Fetches a lazy page's code ahead of the first visit (see `page`). */
  preload?: () => Promise<unknown>;
}

/** A page loaded on demand, whose code can also be fetched early (when the browser is idle). */
function page(
  load: () => Promise<{ default: ComponentType }>,
): Pick<PageRoute, 'component' | 'preload'> {
  return { component: lazy(load), preload: load };
}

export const routes: PageRoute[] = [
  { path: '/', title: 'Overview', nav: { label: 'Overview', key: 'o' }, component: Overview },
  {
    path: '/bots',
    title: 'Bots',
    nav: { label: 'Bots', key: 'b' },
    ...page(() => import('../pages/Bots.js')),
  },
  { path: '/bots/:id', title: 'Bot', ...page(() => import('../pages/Bot.js')) },
  {
    path: '/positions',
    title: 'Positions & orders',
    nav: { label: 'Positions', key: 'p' },
    ...page(() => import('../pages/Positions.js')),
  },
  {
    path: '/journal',
    title: 'Journal',
    nav: { label: 'Journal', key: 'j' },
    ...page(() => import('../pages/Journal.js')),
  },
  {
    path: '/journal/trades/:id',
    title: 'Trade',
    ...page(() => import('../pages/TradeDetail.js')),
  },
  {
    path: '/events',
    title: 'Events',
    nav: { label: 'Events', key: 'e' },
    ...page(() => import('../pages/Events.js')),
  },
  // Places for the alerting, analytics and health pages: replace `component` with
  // `...page(() => import('../pages/YourPage.js'))`.
  {
    path: '/alerts',
    title: 'Alerts',
    nav: { label: 'Alerts', key: 'a', soon: true },
    component: placeholder(
      'Alerts',
      'Firing and resolved alerts, rules, silences and acknowledgements.',
    ),
  },
  {
    path: '/performance',
    title: 'Performance',
    nav: { label: 'Performance', key: 'f', soon: true },
    component: placeholder(
      'Performance',
      'Returns, risk ratios, attribution by bot and strategy, benchmark comparison.',
    ),
  },
  {
    // `/health` itself is the health module's JSON endpoint.
    path: '/status',
    title: 'Health',
    nav: { label: 'Health', key: 'h', soon: true },
    component: placeholder(
      'Health',
      'Hub liveness and readiness, checks of bots and dependencies, resource use.',
    ),
  },
  {
    path: '/settings',
    title: 'Settings',
    nav: { label: 'Settings', key: 's' },
    ...page(() => import('../pages/Settings.js')),
  },
];

/** Fetches every lazy page's code once the browser has nothing else to do. */
export function preloadPages(): void {
  for (const r of routes) void r.preload?.().catch(() => undefined);
}
