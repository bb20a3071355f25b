import {
  ColorType,
  createChart,
  HistogramSeries,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { cssVar, useTheme } from '../app/theme.js';
import { formatMoney } from '../format/format.js';

export interface PnlBar {
  /** YYYY-MM-DD */
  date: string;
  net: number;
  cumulative: number;
}

/** Daily or weekly net P&L as bars (green up, red down) with the cumulative line. */
export default function PnlBars({
  bars,
  currency,
  height = 240,
}: {
  bars: PnlBar[];
  currency: string;
  height?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const hist = useRef<ISeriesApi<'Histogram'> | null>(null);
  const line = useRef<ISeriesApi<'Line'> | null>(null);
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
      },
      grid: { vertLines: { visible: false }, horzLines: { color: cssVar('--grid') } },
      rightPriceScale: { borderColor: cssVar('--border') },
      leftPriceScale: { visible: true, borderColor: cssVar('--border') },
      timeScale: { borderColor: cssVar('--border') },
      handleScroll: { mouseWheel: false },
      handleScale: { mouseWheel: false },
    });
    hist.current = c.addSeries(HistogramSeries, {
      priceLineVisible: false,
      title: 'Net P&L',
      priceScaleId: 'right',
      priceFormat: {
        type: 'custom',
        formatter: (p: number) => formatMoney(p, currency),
        minMove: 0.01,
      },
    });
    line.current = c.addSeries(LineSeries, {
      color: cssVar('--accent'),
      lineWidth: 2,
      priceLineVisible: false,
      title: 'Cumulative',
      priceScaleId: 'left',
      priceFormat: {
        type: 'custom',
        formatter: (p: number) => formatMoney(p, currency),
        minMove: 0.01,
      },
    });
    chart.current = c;
    return () => {
      c.remove();
      chart.current = null;
    };
  }, [currency, theme]);

  useEffect(() => {
    const pos = cssVar('--pos');
    const neg = cssVar('--neg');
    hist.current?.setData(
      bars.map((b) => ({ time: b.date, value: b.net, color: b.net < 0 ? neg : pos })),
    );
    line.current?.setData(bars.map((b) => ({ time: b.date, value: b.cumulative })));
    chart.current?.timeScale().fitContent();
  }, [bars, theme]);

  return (
    <figure className="chart">
      <div
        ref={el}
        className="chart-canvas"
        style={{ height }}
        role="img"
        aria-label="Net P&L per period with the cumulative line"
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
