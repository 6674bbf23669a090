// Component tests import .vue files (compiled by vitest's Vue plugin); the Node-side
// typecheck sees them as components. The renderer's own check (vue-tsc) types them fully.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<Record<string, unknown>, Record<string, unknown>, unknown>
  export default component
}
