/**
 * What VS Code gives a webview for the current colour theme, so that the test
 * page is themed the way a real panel is: a body class, `data-vscode-theme-kind`,
 * and `--vscode-*` variables on `<html>`, one per theme colour (`editor.background`
 * → `--vscode-editor-background`). As in VS Code, a colour the theme leaves
 * undefined is not set at all: Dark and Light Modern define no `contrastBorder`,
 * High Contrast defines no `button.background` or `list.activeSelectionBackground`
 * (it outlines instead). Values are the built-in themes' (Dark Modern, Light
 * Modern, High Contrast), trimmed to what a webview like ours can use.
 */
export type ThemeKind = 'dark' | 'light' | 'high-contrast';

export const BODY_CLASS: Record<ThemeKind, string> = { dark: 'vscode-dark', light: 'vscode-light', 'high-contrast': 'vscode-high-contrast' };

const FONTS = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-weight': 'normal',
  'font-size': '13px',
  'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  'editor-font-weight': 'normal',
  'editor-font-size': '14px',
};

const DARK = {
  foreground: '#cccccc', descriptionForeground: '#9d9d9d', disabledForeground: '#cccccc80', errorForeground: '#f85149',
  focusBorder: '#0078d4', 'icon-foreground': '#cccccc', 'widget-border': '#313131', 'widget-shadow': 'rgba(0, 0, 0, 0.36)',
  'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'editor-selectionBackground': '#264f78',
  'editor-findMatchBackground': '#9e6a03', 'editor-findMatchHighlightBackground': 'rgba(234, 92, 0, 0.33)',
  'editorWidget-background': '#202020', 'editorWidget-foreground': '#cccccc', 'editorWidget-border': '#454545',
  'editorHoverWidget-background': '#202020', 'editorHoverWidget-foreground': '#cccccc', 'editorHoverWidget-border': '#454545',
  'editorError-foreground': '#f14c4c', 'editorWarning-foreground': '#cca700', 'editorInfo-foreground': '#3794ff',
  'editorLineNumber-foreground': '#6e7681', 'sideBar-background': '#181818', 'sideBar-foreground': '#cccccc',
  'panel-background': '#181818', 'panel-border': '#2b2b2b', 'sash-hoverBorder': '#0078d4',
  'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': 'rgba(255, 255, 255, 0.07)',
  'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
  'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'input-placeholderForeground': '#989898',
  'inputOption-activeBackground': 'rgba(36, 137, 219, 0.51)', 'inputOption-activeBorder': '#2488db', 'inputOption-activeForeground': '#ffffff',
  'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
  'inputValidation-warningBackground': '#352a05', 'inputValidation-warningBorder': '#b89500',
  'terminal-ansiMagenta': '#bc3fbc', 'terminal-ansiCyan': '#11a8cd', 'debugTokenExpression-number': '#b5cea8',
  'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c', 'dropdown-listBackground': '#1f1f1f',
  'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c',
  'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-inactiveSelectionBackground': '#37373d',
  'list-hoverBackground': '#2a2d2e', 'list-focusOutline': '#0078d4', 'list-highlightForeground': '#2aaaff',
  'list-errorForeground': '#f88070', 'list-warningForeground': '#cca700',
  'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc',
  'textPreformat-foreground': '#d0d0d0', 'textPreformat-background': '#3c3c3c', 'textBlockQuote-background': '#2b2b2b',
  'textBlockQuote-border': '#616161', 'textCodeBlock-background': 'rgba(10, 10, 10, 0.4)', 'textSeparator-foreground': 'rgba(255, 255, 255, 0.18)',
  'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)', 'toolbar-activeBackground': 'rgba(99, 102, 103, 0.31)',
  'scrollbar-shadow': '#000000', 'scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)',
  'scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)', 'scrollbarSlider-activeBackground': 'rgba(191, 191, 191, 0.4)',
  'progressBar-background': '#0078d4', 'charts-foreground': '#cccccc', 'charts-lines': 'rgba(204, 204, 204, 0.5)',
  'charts-red': '#f14c4c', 'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616',
  'charts-green': '#89d185', 'charts-purple': '#b180d7', 'testing-iconFailed': '#f14c4c', 'testing-iconPassed': '#73c991',
  'keybindingLabel-background': 'rgba(128, 128, 128, 0.17)', 'keybindingLabel-foreground': '#cccccc',
  'keybindingLabel-border': 'rgba(51, 51, 51, 0.6)', 'keybindingLabel-bottomBorder': 'rgba(68, 68, 68, 0.6)',
  'diffEditor-insertedTextBackground': 'rgba(156, 204, 44, 0.2)', 'diffEditor-removedTextBackground': 'rgba(255, 0, 0, 0.2)',
};

const LIGHT: Record<keyof typeof DARK, string> = {
  foreground: '#3b3b3b', descriptionForeground: '#3b3b3b', disabledForeground: 'rgba(97, 97, 97, 0.5)', errorForeground: '#f85149',
  focusBorder: '#005fb8', 'icon-foreground': '#3b3b3b', 'widget-border': '#e5e5e5', 'widget-shadow': 'rgba(0, 0, 0, 0.16)',
  'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'editor-selectionBackground': '#add6ff',
  'editor-findMatchBackground': '#a8ac94', 'editor-findMatchHighlightBackground': 'rgba(234, 92, 0, 0.33)',
  'editorWidget-background': '#f8f8f8', 'editorWidget-foreground': '#3b3b3b', 'editorWidget-border': '#c8c8c8',
  'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-foreground': '#3b3b3b', 'editorHoverWidget-border': '#c8c8c8',
  'editorError-foreground': '#e51400', 'editorWarning-foreground': '#bf8803', 'editorInfo-foreground': '#1a85ff',
  'editorLineNumber-foreground': '#6e7681', 'sideBar-background': '#f8f8f8', 'sideBar-foreground': '#3b3b3b',
  'panel-background': '#f8f8f8', 'panel-border': '#e5e5e5', 'sash-hoverBorder': '#005fb8',
  'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': 'rgba(0, 0, 0, 0.1)',
  'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
  'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece', 'input-placeholderForeground': '#767676',
  'inputOption-activeBackground': 'rgba(190, 221, 245, 0.2)', 'inputOption-activeBorder': '#005fb8', 'inputOption-activeForeground': '#000000',
  'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
  'inputValidation-warningBackground': '#f6f5d2', 'inputValidation-warningBorder': '#b89500',
  'terminal-ansiMagenta': '#bc05bc', 'terminal-ansiCyan': '#0598bc', 'debugTokenExpression-number': '#098658',
  'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece', 'dropdown-listBackground': '#ffffff',
  'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece',
  'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'list-inactiveSelectionBackground': '#e4e6f1',
  'list-hoverBackground': '#f2f2f2', 'list-focusOutline': '#005fb8', 'list-highlightForeground': '#0066bf',
  'list-errorForeground': '#b01011', 'list-warningForeground': '#855f00',
  'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8',
  'textPreformat-foreground': '#3b3b3b', 'textPreformat-background': 'rgba(0, 0, 0, 0.12)', 'textBlockQuote-background': '#f8f8f8',
  'textBlockQuote-border': '#e5e5e5', 'textCodeBlock-background': '#f8f8f8', 'textSeparator-foreground': 'rgba(0, 0, 0, 0.18)',
  'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)', 'toolbar-activeBackground': 'rgba(166, 166, 166, 0.31)',
  'scrollbar-shadow': '#dddddd', 'scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)',
  'scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)', 'scrollbarSlider-activeBackground': 'rgba(0, 0, 0, 0.6)',
  'progressBar-background': '#005fb8', 'charts-foreground': '#616161', 'charts-lines': 'rgba(97, 97, 97, 0.5)',
  'charts-red': '#e51400', 'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616',
  'charts-green': '#388a34', 'charts-purple': '#652d90', 'testing-iconFailed': '#f14c4c', 'testing-iconPassed': '#73c991',
  'keybindingLabel-background': 'rgba(221, 221, 221, 0.4)', 'keybindingLabel-foreground': '#3b3b3b',
  'keybindingLabel-border': 'rgba(204, 204, 204, 0.4)', 'keybindingLabel-bottomBorder': 'rgba(187, 187, 187, 0.4)',
  'diffEditor-insertedTextBackground': 'rgba(156, 204, 44, 0.25)', 'diffEditor-removedTextBackground': 'rgba(255, 0, 0, 0.2)',
};

/** High Contrast (dark): black, white text, cyan borders everywhere, orange focus; no fills for selection or buttons. */
const HIGH_CONTRAST: Partial<Record<keyof typeof DARK | 'contrastBorder' | 'contrastActiveBorder' | 'list-activeSelectionOutline' | 'list-hoverOutline', string>> = {
  foreground: '#ffffff', descriptionForeground: 'rgba(255, 255, 255, 0.7)', disabledForeground: '#a5a5a5', errorForeground: '#f48771',
  focusBorder: '#f38518', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', 'icon-foreground': '#ffffff', 'widget-border': '#6fc3df',
  'editor-background': '#000000', 'editor-foreground': '#ffffff', 'editor-findMatchBackground': 'rgba(255, 255, 255, 0)',
  'editorWidget-background': '#0c141f', 'editorWidget-foreground': '#ffffff', 'editorWidget-border': '#6fc3df',
  'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-foreground': '#ffffff', 'editorHoverWidget-border': '#6fc3df',
  'editorError-foreground': '#f48771', 'editorWarning-foreground': '#ffd370', 'editorInfo-foreground': '#3794ff',
  'editorLineNumber-foreground': '#ffffff', 'sideBar-background': '#000000', 'sideBar-foreground': '#ffffff',
  'panel-background': '#000000', 'panel-border': '#6fc3df', 'sash-hoverBorder': '#f38518',
  'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryForeground': '#ffffff',
  'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df', 'input-placeholderForeground': 'rgba(255, 255, 255, 0.7)',
  'inputOption-activeBorder': '#6fc3df', 'inputOption-activeForeground': '#ffffff',
  'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#6fc3df',
  'inputValidation-warningBackground': '#000000', 'inputValidation-warningBorder': '#6fc3df',
  'terminal-ansiMagenta': '#d670d6', 'terminal-ansiCyan': '#29b8db', 'debugTokenExpression-number': '#89d185',
  'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df', 'dropdown-listBackground': '#000000',
  'checkbox-background': '#000000', 'checkbox-border': '#6fc3df',
  'list-activeSelectionOutline': '#f38518', 'list-hoverOutline': '#f38518', 'list-focusOutline': '#f38518', 'list-highlightForeground': '#f38518',
  'list-errorForeground': '#f48771', 'list-warningForeground': '#ffd370',
  'badge-background': '#000000', 'badge-foreground': '#ffffff', 'textLink-foreground': '#21a6ff', 'textLink-activeForeground': '#21a6ff',
  'textPreformat-foreground': '#ffffff', 'textPreformat-background': '#000000', 'textBlockQuote-border': '#ffffff',
  'textCodeBlock-background': '#000000', 'textSeparator-foreground': '#000000',
  'toolbar-hoverBackground': 'rgba(0, 0, 0, 0)', 'scrollbarSlider-background': 'rgba(111, 195, 223, 0.6)',
  'scrollbarSlider-hoverBackground': 'rgba(111, 195, 223, 0.8)', 'scrollbarSlider-activeBackground': '#6fc3df',
  'progressBar-background': '#6fc3df', 'charts-foreground': '#ffffff', 'charts-lines': 'rgba(255, 255, 255, 0.5)',
  'charts-red': '#f48771', 'charts-blue': '#3794ff', 'charts-yellow': '#ffd370', 'charts-orange': '#ab5a00',
  'charts-green': '#89d185', 'charts-purple': '#b180d7', 'testing-iconFailed': '#f14c4c', 'testing-iconPassed': '#73c991',
  'keybindingLabel-foreground': '#ffffff', 'keybindingLabel-border': '#6fc3df', 'keybindingLabel-bottomBorder': '#6fc3df',
  'diffEditor-insertedTextBackground': 'rgba(156, 204, 44, 0.1)', 'diffEditor-removedTextBackground': 'rgba(255, 0, 0, 0.2)',
};

/** `--vscode-*` name → value for a theme kind, fonts included. */
export function themeVariables(kind: ThemeKind): Record<string, string> {
  const colors: Record<string, string> = kind === 'dark' ? DARK : kind === 'light' ? LIGHT : (HIGH_CONTRAST);
  return Object.fromEntries(Object.entries({ ...FONTS, ...colors }).map(([name, value]) => [`--vscode-${name}`, value]));
}

/**
 * The stylesheet VS Code puts in front of every webview's own (`pre/index.html`,
 * trimmed): body font and colour from the theme, no margin, themed scrollbars.
 */
export const VSCODE_DEFAULT_STYLES = `
html { scrollbar-color: var(--vscode-scrollbarSlider-background) var(--vscode-editor-background); }
body { overscroll-behavior-x: none; background-color: transparent; color: var(--vscode-editor-foreground);
  font-family: var(--vscode-font-family); font-weight: var(--vscode-font-weight); font-size: var(--vscode-font-size); margin: 0; padding: 0 20px; }
img, video { max-width: 100%; max-height: 100%; }
a, a code { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
a:focus, input:focus, select:focus, textarea:focus { outline: 1px solid -webkit-focus-ring-color; outline-offset: -1px; }
code { font-family: var(--monaco-monospace-font); color: var(--vscode-textPreformat-foreground); background-color: var(--vscode-textPreformat-background); padding: 1px 3px; border-radius: 4px; }
::-webkit-scrollbar { width: 10px; height: 10px; }
::-webkit-scrollbar-corner { background-color: var(--vscode-editor-background); }
::-webkit-scrollbar-thumb { background-color: var(--vscode-scrollbarSlider-background); }
::-webkit-scrollbar-thumb:hover { background-color: var(--vscode-scrollbarSlider-hoverBackground); }
::-webkit-scrollbar-thumb:active { background-color: var(--vscode-scrollbarSlider-activeBackground); }
`;
