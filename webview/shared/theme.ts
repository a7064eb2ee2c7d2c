// VS Code theme colours for charts (light, dark and high-contrast themes set these CSS variables).
import type { Regime as RegimeName } from '../../src/store/regimes';
import { groupColors, OKABE_ITO, regimeColorOf } from './palette';

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function themeColors() {
  return {
    fg: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    bg: cssVar('--vscode-editor-background', '#1e1e1e'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#44444480')),
    border: cssVar('--vscode-contrastBorder', ''),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

/** Group colours (colour-blind safe, see ./palette.ts): at least 7, or `n` for `n` groups. */
export function palette(n = OKABE_ITO.length): string[] {
  return groupColors(Math.max(n, OKABE_ITO.length));
}

export function regimeColor(r: RegimeName): string {
  return regimeColorOf(r);
}

/** What each regime means (Huang et al. 2024; Zhu et al. 2024), for legends and tooltips. */
export const REGIME_HELP: Record<RegimeName, string> = {
  grokking: 'memorizes first, generalizes much later (weight norm falls)',
  progression: 'generalizes while still fitting the training set',
  'semi-grokking': 'moderate validation accuracy after memorizing',
  ungrokking: 'memorization only (below the critical data size)',
  'no-learning': 'fits neither train nor validation',
  unsettled: 'still changing when training stopped',
  diverged: 'the loss became NaN or infinite (learning rate or init scale too large)',
};

/** Calls `fn` when the VS Code theme changes (the body's class list changes). */
export function onThemeChange(fn: () => void): void {
  new MutationObserver(fn).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}

export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color.trim());
  if (m) return `#${m[1]}${Math.round(alpha * 255).toString(16).padStart(2, '0')}`;
  const s = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color.trim());
  if (s) return withAlpha(`#${s[1]}${s[1]}${s[2]}${s[2]}${s[3]}${s[3]}`, alpha);
  return color;
}
