/**
 * Shipped message templates, keyed `<name>.<part>`: `default.*` for every notification,
 * `<AlertName>.*` for one alert name, `summary.*` for the daily summary. Parts: `subject`,
 * `text` (plain text: email, SMS, log), `html` (email), `markdown` (chat: Telegram, Slack,
 * Discord — `*bold*`, `_italic_`, `` `code` ``). A file `<name>.<part>.tmpl` in
 * `alerts.templates_dir` replaces the shipped one.
 */
export const TEMPLATE_PARTS = ['subject', 'text', 'html', 'markdown'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

const defaultSubject = `{{#if escalation}}[ESCALATED] {{/if}}[{{STATUS}}] {{title}}`;

const defaultText = `{{#if escalation}}ESCALATED (not acknowledged) {{/if}}[{{STATUS}}] {{title}}
{{#each alerts}}
- {{SEVERITY}} {{name}}{{#if labelsText}} ({{labelsText}}){{/if}}: {{summary}}
{{#if description}}
  {{description}}
{{/if}}
{{#if resolvedNote}}
  {{resolvedNote}}
{{/if}}
  since {{startsAt}}{{#if endsAt}}, resolved {{endsAt}}{{/if}} · id {{shortId}}
{{/each}}
{{#if truncated}}
... and {{truncated}} more
{{/if}}
{{#if suppressed}}
Held back by the message limit ({{suppressed.count}}):
{{#each suppressed.lines}}
- {{this}}
{{/each}}
{{/if}}
{{#if digest}}
{{#each digest.entries}}
{{at}}
{{#each lines}}
- {{this}}
{{/each}}
{{/each}}
{{/if}}
{{#if message}}
{{message}}
{{/if}}
{{externalURL}}
`;

const defaultHtml = `<div style="font-family:sans-serif">
<h2 style="margin:0 0 8px">{{#if escalation}}Escalated: {{/if}}{{title}}</h2>
{{#if alerts}}
<table cellpadding="4" style="border-collapse:collapse">
{{#each alerts}}
<tr><td><b>{{SEVERITY}}</b></td><td><b>{{name}}</b> {{labelsText}}<br>{{summary}}{{#if description}}<br><small>{{description}}</small>{{/if}}{{#if resolvedNote}}<br><i>{{resolvedNote}}</i>{{/if}}<br><small>since {{startsAt}}{{#if endsAt}}, resolved {{endsAt}}{{/if}} · id {{shortId}}</small></td></tr>
{{/each}}
</table>
{{/if}}
{{#if truncated}}
<p>... and {{truncated}} more</p>
{{/if}}
{{#if suppressed}}
<p>Held back by the message limit ({{suppressed.count}}):</p><ul>{{#each suppressed.lines}}<li>{{this}}</li>{{/each}}</ul>
{{/if}}
{{#if digest}}
{{#each digest.entries}}
<p><b>{{at}}</b></p><ul>{{#each lines}}<li>{{this}}</li>{{/each}}</ul>
{{/each}}
{{/if}}
{{#if message}}
<p>{{message}}</p>
{{/if}}
<p><a href="{{externalURL}}">{{externalURL}}</a></p>
</div>
`;

const defaultMarkdown = `{{emoji}} *{{#if escalation}}ESCALATED {{/if}}{{STATUS}}* {{title}}
{{#each alerts}}
{{emoji}} *{{name}}*{{#if labelsText}} \`{{labelsText}}\`{{/if}}
{{summary}}
{{#if resolvedNote}}
_{{resolvedNote}}_
{{/if}}
{{#if firing}}
id \`{{shortId}}\` · /ack {{shortId}}
{{/if}}
{{/each}}
{{#if truncated}}
_... and {{truncated}} more_
{{/if}}
{{#if suppressed}}
_Held back by the message limit ({{suppressed.count}}):_
{{#each suppressed.lines}}
• {{this}}
{{/each}}
{{/if}}
{{#if digest}}
{{#each digest.entries}}
*{{at}}*
{{#each lines}}
• {{this}}
{{/each}}
{{/each}}
{{/if}}
{{#if message}}
{{message}}
{{/if}}
`;

const botDownMarkdown = `{{#each alerts}}
{{#if firing}}
🔴 *Bot down: {{labels.bot}}*
{{summary}}
_Check the bot's process, host and network._
id \`{{shortId}}\` · /ack {{shortId}}
{{else}}
✅ *Bot back: {{labels.bot}}*
{{#if resolvedNote}}{{resolvedNote}}{{else}}{{summary}}{{/if}}
{{/if}}
{{/each}}
`;

const summarySubject = `Tradewatch daily summary {{date}}: {{pnl.day}} {{currency}}`;

const summaryText = `Daily summary {{date}} ({{currency}})

Equity {{equity.start}} -> {{equity.end}} ({{equity.change}}, {{equity.change_pct}})
P&L today {{pnl.day}} (realized {{pnl.realized}}, unrealized {{pnl.unrealized}})
Trades {{trades.count}}: {{trades.wins}} won, {{trades.losses}} lost, win rate {{trades.win_rate}}, net {{trades.net}}
{{#each trades.list}}
- {{exit_at}} {{bot}} {{direction}} {{qty}} {{symbol}}: {{net}}{{#if return_pct}} ({{return_pct}}){{/if}}
{{/each}}
{{#if trades.more}}
  ... and {{trades.more}} more
{{/if}}

Open positions {{positions.count}}
{{#each positions.list}}
- {{bot}} {{side}} {{qty}} {{symbol}} @ {{avg_price}}, last {{last_price}}: unrealized {{unrealized}}
{{/each}}

Alerts today {{alerts.count}}
{{#each alerts.list}}
- {{at}} {{severity}} {{name}}: {{summary}}
{{/each}}

Signals (latest per symbol)
{{#each signals}}
- {{at}} {{bot}} {{direction}} {{symbol}}{{#if note}}: {{note}}{{/if}}
{{/each}}

Bots: {{bots.up}} up, {{bots.down}} down
{{externalURL}}
`;

const summaryHtml = `<div style="font-family:sans-serif">
<h2>Daily summary {{date}}</h2>
<p>Equity <b>{{equity.start}}</b> &rarr; <b>{{equity.end}}</b> {{currency}} ({{equity.change}}, {{equity.change_pct}})<br>
P&amp;L today <b>{{pnl.day}}</b> (realized {{pnl.realized}}, unrealized {{pnl.unrealized}})<br>
Trades {{trades.count}}: {{trades.wins}} won, {{trades.losses}} lost, win rate {{trades.win_rate}}, net {{trades.net}}</p>
{{#if trades.list}}
<h3>Trades</h3>
<table cellpadding="4" border="1" style="border-collapse:collapse"><tr><th>Closed</th><th>Bot</th><th>Trade</th><th>Net</th><th>Return</th></tr>
{{#each trades.list}}
<tr><td>{{exit_at}}</td><td>{{bot}}</td><td>{{direction}} {{qty}} {{symbol}}</td><td>{{net}}</td><td>{{return_pct}}</td></tr>
{{/each}}
</table>
{{/if}}
{{#if positions.list}}
<h3>Open positions</h3>
<table cellpadding="4" border="1" style="border-collapse:collapse"><tr><th>Bot</th><th>Position</th><th>Avg</th><th>Last</th><th>Unrealized</th></tr>
{{#each positions.list}}
<tr><td>{{bot}}</td><td>{{side}} {{qty}} {{symbol}}</td><td>{{avg_price}}</td><td>{{last_price}}</td><td>{{unrealized}}</td></tr>
{{/each}}
</table>
{{/if}}
<h3>Alerts today ({{alerts.count}})</h3>
<ul>{{#each alerts.list}}<li>{{at}} <b>{{severity}}</b> {{name}}: {{summary}}</li>{{/each}}</ul>
{{#if signals}}
<h3>Signals</h3>
<ul>{{#each signals}}<li>{{at}} {{bot}} <b>{{direction}}</b> {{symbol}}{{#if note}}: {{note}}{{/if}}</li>{{/each}}</ul>
{{/if}}
<p>Bots: {{bots.up}} up, {{bots.down}} down · <a href="{{externalURL}}">{{externalURL}}</a></p>
</div>
`;

const summaryMarkdown = `📊 *Daily summary {{date}}*
Equity {{equity.start}} → *{{equity.end}}* {{currency}} ({{equity.change}}, {{equity.change_pct}})
P&L today *{{pnl.day}}* · realized {{pnl.realized}} · unrealized {{pnl.unrealized}}
Trades {{trades.count}} · win rate {{trades.win_rate}} · net {{trades.net}}
{{#each trades.list}}
• {{bot}} {{direction}} {{qty}} {{symbol}}: {{net}}
{{/each}}
{{#if positions.list}}
*Open positions*
{{#each positions.list}}
• {{bot}} {{side}} {{qty}} {{symbol}}: {{unrealized}}
{{/each}}
{{/if}}
*Alerts today:* {{alerts.count}}
{{#each alerts.list}}
• {{severity}} {{name}}: {{summary}}
{{/each}}
{{#if signals}}
*Signals*
{{#each signals}}
• {{bot}} {{direction}} {{symbol}}
{{/each}}
{{/if}}
Bots: {{bots.up}} up, {{bots.down}} down
`;

export const DEFAULT_TEMPLATES: Record<string, string> = {
  'default.subject': defaultSubject,
  'default.text': defaultText,
  'default.html': defaultHtml,
  'default.markdown': defaultMarkdown,
  'BotDown.markdown': botDownMarkdown,
  'summary.subject': summarySubject,
  'summary.text': summaryText,
  'summary.html': summaryHtml,
  'summary.markdown': summaryMarkdown,
};
