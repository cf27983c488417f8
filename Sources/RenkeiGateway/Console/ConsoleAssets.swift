import Hummingbird

/// The console's stylesheet and its one script, served from memory: no build step, no third-party code. Colours meet
/// WCAG AA contrast on their backgrounds; focus is always visible; the layout holds from a tablet to 1280×800 and
/// prints without the navigation.
enum ConsoleAssets {
    static func response(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "\(type); charset=utf-8", .cacheControl: "max-age=300",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static let css = """
        :root { --ink: #1f2933; --muted: #52606d; --line: #cbd2d9; --bg: #f5f7fa; --card: #fff; --accent: #0b57d0;
          --bad: #b42318; --good: #1b6e3a; --warn: #8a4b00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", system-ui, sans-serif;
          color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible {
          outline: 3px solid #f59e0b; outline-offset: 2px; }
        .skip { position: absolute; left: -9999px; }
        .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 10; }
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 10px 20px;
          background: #102a43; color: #fff; }
        .bar .brand { font-weight: 700; }
        .bar nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; margin: 0; padding: 0; }
        .bar nav a { color: #dbeafe; text-decoration: none; padding: 4px 2px; }
        .bar nav a[aria-current="page"] { color: #fff; border-bottom: 3px solid #f59e0b; }
        .bar .sign-out { margin-left: auto; display: flex; gap: 8px; align-items: center; }
        .bar .who { color: #dbeafe; font-size: 13px; }
        main { padding: 16px 20px 40px; max-width: 1240px; }
        h1 { font-size: 22px; margin: 8px 0 12px; }
        h2 { font-size: 17px; margin: 0 0 8px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
          margin: 12px 0; }
        .narrow { max-width: 460px; }
        .map { margin: 0 0 12px; padding: 8px; }
        svg .node rect { stroke-width: 2; }
        svg .zone-mynumber rect { fill: #fde8e7; stroke: #b42318; }
        svg .zone-general rect { fill: #e6efff; stroke: #0b57d0; }
        svg .node-id { font: 700 14px monospace; fill: #1f2933; }
        svg .node-name { font-size: 13px; fill: #1f2933; }
        svg .edge-label { font: 700 11px monospace; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
        svg .legend { font-size: 13px; fill: #1f2933; }
        table { border-collapse: collapse; width: 100%; background: var(--card); margin: 12px 0; }
        caption { text-align: left; padding: 6px 0; color: var(--muted); }
        th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
        thead th { background: #e4e7eb; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.items { min-width: 260px; max-width: 440px; font-size: 13px; }
        .code { font-family: ui-monospace, monospace; }
        .method { padding: 1px 6px; border-radius: 4px; color: #fff; font-size: 13px; }
        .method-pull { background: #1d4ed8; } .method-push { background: #15803d; } .method-file { background: #7e22ce; }
        .method-kafka { background: #c2410c; } .method-query { background: #475569; }
        .filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; }
        .filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); }
        label { font-size: 14px; }
        #sign-in label { display: block; margin-top: 10px; }
        input, select, button { font: inherit; padding: 6px 8px; border: 1px solid #7b8794; border-radius: 4px; }
        #sign-in input:not([type=checkbox]) { width: 100%; }
        label.check { display: flex; gap: 6px; align-items: center; flex-direction: row; color: var(--ink); }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; margin-top: 8px; }
        button.danger { background: var(--bad); border-color: var(--bad); }
        .bar button { background: transparent; border-color: #dbeafe; color: #fff; margin: 0; padding: 3px 10px; }
        .error { color: var(--bad); background: #fde8e7; border: 1px solid var(--bad); padding: 8px 12px;
          border-radius: 6px; }
        [role="status"] { color: var(--ink); }
        .good { color: var(--good); } .bad { color: var(--bad); } .warning { color: var(--warn); }
        #verify-result.good { border-color: var(--good); } #verify-result.bad { border-color: var(--bad); }
        tr.would-deliver td:last-child, tr.delivered td:last-child { color: var(--good); }
        tr.still-invalid td:last-child, tr.cannot-replay td:last-child { color: var(--bad); }
        tr.already-replayed td:last-child { color: var(--warn); }
        pre { white-space: pre-wrap; word-break: break-all; font-size: 13px; }
        dl.card, dl.health { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
        dt { font-weight: 700; } dd { margin: 0; }
        progress { width: 100%; height: 18px; }
        .actions a { margin-right: 16px; }
        .note { color: var(--muted); font-size: 13px; }
        ul.plain { margin: 0; padding-left: 18px; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        @media (max-width: 900px) { main { padding: 12px; } th, td { padding: 4px 5px; font-size: 13px; } }
        @media print { .bar, .skip, form, .actions { display: none; } body { background: #fff; }
          main { max-width: none; padding: 0; } table { font-size: 11px; } }
        main.printable table { font-size: 12px; }
        """

    /// "Select all" on the dead-letter list, and the progress of a replay: asks for the job's counts every second and
    /// reloads the page when it is done, so the page itself stays server-rendered.
    static let script = """
        "use strict";
        document.addEventListener("DOMContentLoaded", () => {
          const all = document.getElementById("select-all");
          if (all) {
            all.addEventListener("change", () => {
              for (const box of document.querySelectorAll('input[name="reference"][form="replay-form"]')) {
                box.checked = all.checked;
              }
            });
          }
          const execute = document.getElementById("execute-form");
          if (execute) {
            execute.addEventListener("submit", () => { document.getElementById("execute").disabled = true; });
          }
          const job = document.querySelector("[data-replay]");
          if (!job || job.dataset.finished === "true") return;
          const bar = document.getElementById("replay-progress");
          const status = document.getElementById("replay-status");
          const poll = async () => {
            try {
              const reply = await fetch(`/console/replays/${job.dataset.replay}/status.json`, { credentials: "same-origin" });
              if (reply.ok) {
                const state = await reply.json();
                bar.value = state.done; bar.max = state.total;
                status.textContent = `実行中 / running: ${state.done} / ${state.total}`;
                if (state.finished) { window.location.reload(); return; }
              }
            } catch (error) { /* the next poll tries again */ }
            setTimeout(poll, 1000);
          };
          setTimeout(poll, 500);
        });
        """
}
