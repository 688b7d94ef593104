/** ELK's layout worker, bundled as text by esbuild (`loader: { '.min.js': 'text' }`). */
declare module 'elkjs/lib/elk-worker.min.js' {
  const source: string;
  export default source;
}
