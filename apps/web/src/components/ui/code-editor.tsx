// CodeMirror 6 for XML: line numbers, folding, search, bracket matching, and diagnostics with
// line and column drawn in the gutter. Controlled by `value`, which is only pushed into the editor
// when it differs from what the editor holds (a loaded file, a rollback), so typing never jumps.
import { xml } from '@codemirror/lang-xml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, Compartment } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { unifiedMergeView } from '@codemirror/merge';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';

export interface EditorIssue {
  line: number;
  column: number;
  message: string;
  severity?: 'error' | 'warning';
}

export interface CodeEditorHandle {
  goTo(line: number, column: number): void;
}

const theme = EditorView.theme({
  '&': { backgroundColor: '#fff' },
  '.cm-gutters': { backgroundColor: '#f8fafc', borderRight: '1px solid #e2e8f0', color: '#94a3b8' },
  '.cm-activeLineGutter': { backgroundColor: '#eef2f6' },
  '.cm-activeLine': { backgroundColor: '#f8fafc' },
});

function toDiagnostics(state: EditorState, issues: EditorIssue[]): Diagnostic[] {
  const doc = state.doc;
  return issues.map((i) => {
    const line = doc.line(Math.min(Math.max(1, i.line), doc.lines));
    const from = Math.min(line.from + Math.max(0, i.column - 1), line.to);
    const to = from < line.to ? line.to : from;
    return { from, to, severity: i.severity ?? 'error', message: i.message };
  });
}

export function CodeEditor({ value, onChange, readOnly = false, issues = [], height = 420, label, ref, onSave }: {
  value: string;
  onChange?: (v: string) => void;
  readOnly?: boolean;
  issues?: EditorIssue[];
  height?: number | string;
  label: string;
  ref?: Ref<CodeEditorHandle>;
  /** Ctrl/Cmd-S. */
  onSave?: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const change = useRef(onChange);
  const save = useRef(onSave);
  const readOnlyConf = useRef(new Compartment());
  useEffect(() => {
    change.current = onChange;
    save.current = onSave;
  });

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          xml(),
          EditorView.lineWrapping,
          lintGutter(),
          theme,
          keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (save.current?.(), true) }]),
          readOnlyConf.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) change.current?.(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // Created once; later props are pushed in by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: readOnlyConf.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]) });
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, toDiagnostics(v.state, issues)));
  }, [issues, value]);

  useImperativeHandle(ref, () => ({
    goTo(line, column) {
      const v = view.current;
      if (!v) return;
      const l = v.state.doc.line(Math.min(Math.max(1, line), v.state.doc.lines));
      const pos = Math.min(l.from + Math.max(0, column - 1), l.to);
      v.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      v.focus();
    },
  }));

  return <div className="editor" ref={host} style={{ height }} />;
}

/** The draft against the saved text, as one read-only unified diff. */
export function DiffView({ original, modified, height = 420 }: { original: string; modified: string; height?: number | string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: modified,
        extensions: [
          basicSetup,
          xml(),
          theme,
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          unifiedMergeView({ original, mergeControls: false, highlightChanges: true, collapseUnchanged: { margin: 3, minSize: 6 } }),
          EditorView.contentAttributes.of({ 'aria-label': 'Changes' }),
        ],
      }),
    });
    return () => v.destroy();
  }, [original, modified]);
  return <div className="editor" ref={host} style={{ height, overflow: 'auto' }} />;
}
