// The webview side of the VS Code API, typed by each webview's protocol.
interface VsCodeApi<S> {
  postMessage(msg: unknown): void;
  getState(): S | undefined;
  setState(s: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export function vscodeApi<Out, S>(): { post(msg: Out): void; getState(): S | undefined; setState(s: S): void } {
  const api = acquireVsCodeApi<S>();
  return { post: (m) => api.postMessage(m), getState: () => api.getState(), setState: (s) => api.setState(s) };
}
