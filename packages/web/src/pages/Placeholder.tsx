import type { ComponentType } from 'react';

/** A page that another part of Tradewatch fills in; the navigation already has its place. */
export function placeholder(title: string, what: string): ComponentType {
  function Placeholder() {
    return (
      <div className="page">
        <h1>{title}</h1>
        <div className="panel placeholder">
          <p>
            <strong>Coming soon.</strong> {what}
          </p>
          <p className="muted">This page is not part of this hub version yet.</p>
        </div>
      </div>
    );
  }
  Placeholder.displayName = `Placeholder(${title})`;
  return Placeholder;
}
