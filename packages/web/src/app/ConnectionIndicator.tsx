import { formatAge } from '../format/format.js';
import { useLive } from '../live/LiveProvider.js';
import { useNow } from '../live/now.js';

const LABEL = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Offline · polling every 5 s',
  stopped: 'Disconnected',
} as const;

/** Whether the page is live, and how fresh its figures are: it never pretends. */
export function ConnectionIndicator() {
  const { status, lastUpdateAt } = useLive();
  const now = useNow();
  const age = lastUpdateAt === null ? null : (now - lastUpdateAt) / 1000;
  return (
    <div
      className={`conn conn-${status}`}
      role="status"
      aria-live="polite"
      title="Live updates from the hub"
    >
      <span className="dot" aria-hidden="true" />
      <span className="conn-label">{LABEL[status]}</span>
      <span className="conn-age">
        {age === null ? 'no update yet' : `last update ${formatAge(age)}`}
      </span>
    </div>
  );
}
