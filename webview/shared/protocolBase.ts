// Types and type-guard helpers shared by the webview protocols. DOM-free and vscode-free:
// imported by the extension host and the webviews alike.

export type AxisValue = number | string | boolean;
export type Selection = Record<string, AxisValue | null>;
export type ExportFormat = 'png' | 'svg' | 'csv';

/** The webview asks the host to save an export (the webview cannot write files). */
export interface ExportRequest {
  type: 'export';
  format: ExportFormat;
  /** base64 for png, utf8 text for svg and csv. */
  content: string;
  suggestedName: string;
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isAxisValue(x: unknown): x is AxisValue {
  return typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
}

export function isSelection(x: unknown): x is Selection {
  return isObject(x) && Object.values(x).every((v) => v === null || isAxisValue(v));
}

export function isExportRequest(x: unknown): x is ExportRequest {
  return isObject(x) && x.type === 'export' && (x.format === 'png' || x.format === 'svg' || x.format === 'csv')
    && typeof x.content === 'string' && typeof x.suggestedName === 'string';
}

export const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
