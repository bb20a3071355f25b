import type { EquityPoint } from '@tradewatch/protocol';
import {
  AreaSeries,
  ColorType,
  createChart,
  LineSeries,
  TickMarkType,
  type IChartApi,
  type ISeriesApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { cssVar, useTheme } from '../app/theme.js';
import { formatMoney } from '../format/format.js';
import { drawdownSeries, toSeries } from './series.js';

function timeText(t: Time): string {
  if (typeof t === 'string') return t;
  if (typeof t === 'number') return new Date(t * 1000).toISOString();
  return `${t.year}-${t.month}-${t.day}`;
}

function localTime(t: Time): string {
  return typeof t === 'number' ? new Date(t * 1000).toLocaleString() : timeText(t);
}

/** Axis labels in local time: the library says which kind of boundary a tick marks. */
function tick(t: Time, type: TickMarkType): string {
  if (typeof t !== 'number') return timeText(t);
  const d = new Date(t * 1000);
  switch (type) {
    case TickMarkType.Year:
      return String(d.getFullYear());
    case TickMarkType.Month:
      return d.toLocaleDateString(undefined, { month: 'short' });
    case TickMarkType.DayOfMonth:
      return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    default:
      return d.toLocaleTimeString(undefined, {
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
  }
}

/**
 * Equity (top pane) and drawdown from the peak in % (bottom pane), in the viewer's time zone.
 * TradingView's attribution is the link under the chart: the library's own logo would need an
 * inline style element, which the Content-Security-Policy forbids.
 */
export default function EquityChart({
  points,
  currency,
  height = 300,
}: {
  points: EquityPoint[];
  currency: string;
  height?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const equity = useRef<ISeriesApi<'Area'> | null>(null);
  const drawdown = useRef<ISeriesApi<'Line'> | null>(null);
  const theme = useTheme();

  useEffect(() => {
    if (!el.current) return;
    const c = createChart(el.current, {
      autoSize: true,
      layout: {
        attributionLogo: false,
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: cssVar('--muted'),
        fontFamily: cssVar('--font'),
        panes: { separatorColor: cssVar('--border'), enableResize: false },
      },
      grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
      rightPriceScale: { borderColor: cssVar('--border') },
      timeScale: { borderColor: cssVar('--border'), timeVisible: true, tickMarkFormatter: tick },
      localization: { timeFormatter: localTime },
      crosshair: { mode: 0 },
      handleScroll: {
        mouseWheel: false,
        pressedMouseMove: true,
        horzTouchDrag: true,
        vertTouchDrag: false,
      },
      handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: false },
    });
    equity.current = c.addSeries(AreaSeries, {
      lineColor: cssVar('--accent'),
      topColor: cssVar('--accent-fade'),
      bottomColor: 'rgba(0,0,0,0)',
      lineWidth: 2,
      priceLineVisible: false,
      title: 'Equity',
      priceFormat: {
        type: 'custom',
        formatter: (p: number) => formatMoney(p, currency),
        minMove: 0.01,
      },
    });
    drawdown.current = c.addSeries(
      LineSeries,
      {
        color: cssVar('--neg'),
        lineWidth: 1,
        priceLineVisible: false,
        title: 'Drawdown %',
        priceFormat: {
          type: 'custom',
          formatter: (p: number) => `${p.toFixed(2)}%`,
          minMove: 0.01,
        },
      },
      1,
    );
    const panes = c.panes();
    panes[1]?.setHeight(Math.round(height * 0.28));
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
      equity.current = null;
      drawdown.current = null;
    };
  }, [currency, height]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.applyOptions({
      layout: { textColor: cssVar('--muted'), panes: { separatorColor: cssVar('--border') } },
      grid: { vertLines: { color: cssVar('--grid') }, horzLines: { color: cssVar('--grid') } },
    });
    equity.current?.applyOptions({
      lineColor: cssVar('--accent'),
      topColor: cssVar('--accent-fade'),
    });
    drawdown.current?.applyOptions({ color: cssVar('--neg') });
  }, [theme]);

  useEffect(() => {
    equity.current?.setData(
      toSeries(points, (p) => p.equity).map((p) => ({
        time: p.time as UTCTimestamp,
        value: p.value,
      })),
    );
    drawdown.current?.setData(
      drawdownSeries(points).map((p) => ({ time: p.time as UTCTimestamp, value: p.value })),
    );
    chart.current?.timeScale().fitContent();
  }, [points]);

  return (
    <figure className="chart">
      <div
        ref={el}
        className="chart-canvas"
        style={{ height }}
        role="img"
        aria-label="Equity curve with drawdown"
      />
      <figcaption className="attribution">
        Charts by{' '}
        <a href="https://www.tradingview.com/" target="_blank" rel="noreferrer">
          TradingView
        </a>{' '}
        Lightweight Charts™
      </figcaption>
    </figure>
  );
}
