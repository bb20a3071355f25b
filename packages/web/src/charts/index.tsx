import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from '../components/states.js';

/** Charts load on demand: the first page's script stays small. */
const Equity = lazy(() => import('./EquityChart.js'));
const Bars = lazy(() => import('./PnlBars.js'));

export function LazyEquityChart(props: ComponentProps<typeof Equity>) {
  return (
    <Suspense
      fallback={
        <div className="chart-placeholder" style={{ height: props.height ?? 300 }}>
          <Loading rows={1} label="Loading chart…" />
        </div>
      }
    >
      <Equity {...props} />
    </Suspense>
  );
}

export function LazyPnlBars(props: ComponentProps<typeof Bars>) {
  return (
    <Suspense
      fallback={
        <div className="chart-placeholder" style={{ height: props.height ?? 240 }}>
          <Loading rows={1} label="Loading chart…" />
        </div>
      }
    >
      <Bars {...props} />
    </Suspense>
  );
}
