// The report's inline script and style: a 3D player drawn with the canvas 2D API (a perspective
// projection of the bones, no library: a few hundred lines keep the file small and self-contained),
// the 2D input beside it, and the evaluation tables and charts. See html_report.hpp.
#include "io/html_report.hpp"

namespace lift3d::io {

const char* report_style() {
  return R"lift3d_css(body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; max-width: 1040px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 20px 0 6px; }
.muted { color: #777; }
.views { display: flex; gap: 8px; flex-wrap: wrap; }
canvas { border: 1px solid #ddd; border-radius: 4px; max-width: 100%; }
.view3d { cursor: grab; }
.controls { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.slider { flex: 1; }
.legend { font-size: 12px; color: #444; }
.k0 { color: #222; } .k1 { color: #e69500; } .k2 { color: #c0002a; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #eee; padding: 3px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
)lift3d_css";
}

const char* report_script() {
  return R"lift3d_js("use strict";
// lift3d report: a 3D skeleton player (canvas 2D projection, no library), the 2D input beside it,
// and for evaluations the tables and charts. Reads the JSON in <script id="lift3d-data">.
// URL hash: #frame=N (start paused at frame N), #seq=I (sequence or video I).
(function () {
  const errors = [];
  window.addEventListener("error", (e) => { errors.push(String(e.message)); document.body.dataset.errors = errors.join(" | "); });
  const data = JSON.parse(document.getElementById("lift3d-data").textContent);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };
  const fmt = (v, digits) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits));
  const hashParams = () => Object.fromEntries(location.hash.slice(1).split("&").filter(Boolean).map((p) => p.split("=")));
  const COLORS = { left: "#1f6fd1", right: "#d1431f", center: "#555", truth: "#2a9d4b", grid: "#ddd" };

  // ---- 3D player ---------------------------------------------------------------------------
  function Player(root, skeleton, onFrame) {
    const view = el("canvas", { class: "view3d", width: 560, height: 460, title: "drag: rotate, wheel: zoom" });
    const flat = el("canvas", { class: "view2d", width: 420, height: 460 });
    const play = el("button", { class: "play" }, "Play");
    const slider = el("input", { type: "range", min: 0, max: 0, value: 0, class: "slider" });
    const label = el("span", { class: "frame-label" });
    const legend = el("div", { class: "legend" });
    root.append(el("div", { class: "views" }, view, flat), el("div", { class: "controls" }, play, slider, label), legend);
    let seq = null, frame = 0, playing = false, timer = null;
    let yaw = 0, pitch = 0.25, zoom = 1, center = [0, 0, 0], extent = 1, floor = 0, up = [0, -1, 0], front = [0, 0, -1];
    const sideOf = (name) => (name.startsWith("left") ? COLORS.left : name.startsWith("right") ? COLORS.right : COLORS.center);
    const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    const scale = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
    const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
    const norm = (a) => scale(a, 1 / Math.hypot(a[0], a[1], a[2]));
    const joint = (poses, f, j) => { const i = (f * skeleton.names.length + j) * 3; return [poses[i] / 1000, poses[i + 1] / 1000, poses[i + 2] / 1000]; };

    function fit() {
      const poses = seq.skeletons[0].joints_mm, frames = seq.frames, joints = skeleton.names.length;
      up = seq.frame === "world" ? [0, 0, 1] : [0, -1, 0];
      front = seq.frame === "world" ? [0, -1, 0] : [0, 0, -1];
      let sum = [0, 0, 0], lowest = Infinity;
      for (let f = 0; f < frames; ++f) sum = add(sum, joint(poses, f, 0));
      center = scale(sum, 1 / frames);
      extent = 0.3;
      for (let f = 0; f < frames; f += Math.max(1, Math.floor(frames / 200)))
        for (let j = 0; j < joints; ++j) {
          const p = joint(poses, f, j), d = add(p, scale(center, -1));
          extent = Math.max(extent, Math.hypot(d[0], d[1], d[2]));
          lowest = Math.min(lowest, dot(p, up));
        }
      floor = lowest;
    }

    function projector() {
      const side = cross(up, front);
      const eye = add(scale(add(scale(front, Math.cos(yaw)), scale(side, Math.sin(yaw))), Math.cos(pitch)), scale(up, Math.sin(pitch)));
      const right = norm(cross(up, eye)), screenUp = cross(eye, right);
      const distance = 3 * extent * zoom, focal = 0.42 * Math.min(view.width, view.height) * 3;
      return (p) => {
        const d = add(p, scale(center, -1)), depth = distance - dot(d, eye);
        if (depth <= 0.01) return null;
        return [view.width / 2 + (focal * dot(d, right)) / depth, view.height / 2 - (focal * dot(d, screenUp)) / depth, depth];
      };
    }

    function drawGrid(ctx, project) {
      const side = cross(up, front), base = add(center, scale(up, floor - dot(center, up)));
      const step = 0.5, n = Math.ceil(extent / step) + 1;
      ctx.strokeStyle = COLORS.grid; ctx.lineWidth = 1;
      for (let i = -n; i <= n; ++i)
        for (const [a, b] of [[front, side], [side, front]]) {
          const p = project(add(base, add(scale(a, i * step), scale(b, -n * step))));
          const q = project(add(base, add(scale(a, i * step), scale(b, n * step))));
          if (!p || !q) continue;
          ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
        }
    }

    function draw3d() {
      const ctx = view.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, view.width, view.height);
      const project = projector();
      drawGrid(ctx, project);
      const segments = [];
      seq.skeletons.forEach((s, k) => {
        for (let j = 1; j < skeleton.names.length; ++j) {
          const a = project(joint(s.joints_mm, frame, skeleton.parents[j])), b = project(joint(s.joints_mm, frame, j));
          if (a && b) segments.push({ a, b, depth: (a[2] + b[2]) / 2, color: k ? COLORS.truth : sideOf(skeleton.names[j]), width: k ? 3 : 5 });
        }
      });
      segments.sort((x, y) => y.depth - x.depth);
      ctx.lineCap = "round";
      for (const s of segments) { ctx.strokeStyle = s.color; ctx.lineWidth = s.width; ctx.beginPath(); ctx.moveTo(s.a[0], s.a[1]); ctx.lineTo(s.b[0], s.b[1]); ctx.stroke(); }
    }

    function draw2d() {
      const ctx = flat.getContext("2d");
      ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, flat.width, flat.height);
      const kp = seq.keypoints;
      if (!kp) { flat.style.display = "none"; return; }
      const n = kp.names.length, xy = kp.xy;
      if (!kp.bounds) {
        let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
        for (let i = 0; i < xy.length; i += 2) { x0 = Math.min(x0, xy[i]); x1 = Math.max(x1, xy[i]); y0 = Math.min(y0, xy[i + 1]); y1 = Math.max(y1, xy[i + 1]); }
        kp.bounds = [x0, x1, y0, y1];
      }
      const [x0, x1, y0, y1] = kp.bounds, s = 0.9 * Math.min(flat.width / Math.max(1, x1 - x0), flat.height / Math.max(1, y1 - y0));
      const at = (j) => [flat.width / 2 + (xy[(frame * n + j) * 2] - (x0 + x1) / 2) * s, flat.height / 2 + (xy[(frame * n + j) * 2 + 1] - (y0 + y1) / 2) * s];
      ctx.lineWidth = 3; ctx.lineCap = "round";
      for (const [a, b] of kp.edges) {
        const p = at(a), q = at(b);
        ctx.strokeStyle = sideOf(kp.names[b]); ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
      }
      for (let j = 0; j < n; ++j) {
        const p = at(j), fill = kp.fill ? kp.fill.charCodeAt(frame * n + j) - 48 : 0;
        ctx.beginPath(); ctx.arc(p[0], p[1], fill ? 6 : 4, 0, 2 * Math.PI);
        if (fill === 0) { ctx.fillStyle = "#222"; ctx.fill(); }
        else { ctx.strokeStyle = fill === 1 ? "#e69500" : "#c0002a"; ctx.lineWidth = 2.5; ctx.stroke(); }
      }
      ctx.fillStyle = "#666"; ctx.font = "12px sans-serif"; ctx.fillText("2D input (image coordinates)", 8, 16);
    }

    function show(f) {
      frame = Math.max(0, Math.min(seq.frames - 1, f | 0));
      slider.value = frame;
      const input = seq.first_frame + frame;
      label.textContent = `frame ${frame + 1} / ${seq.frames}` + (seq.first_frame ? ` (input frame ${input})` : "") + (seq.fps ? ` · ${(frame / seq.fps).toFixed(2)} s` : "");
      draw3d(); draw2d();
      if (onFrame) onFrame(frame);
      document.body.dataset.frame = frame;
    }

    function setPlaying(on) {
      playing = on; play.textContent = on ? "Pause" : "Play";
      clearInterval(timer);
      if (on) timer = setInterval(() => show((frame + 1) % seq.frames), 1000 / (seq.fps || 30));
    }

    play.addEventListener("click", () => setPlaying(!playing));
    slider.addEventListener("input", () => { setPlaying(false); show(+slider.value); });
    let drag = null;
    view.addEventListener("mousedown", (e) => { drag = [e.clientX, e.clientY]; });
    window.addEventListener("mouseup", () => { drag = null; });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      yaw += (e.clientX - drag[0]) * 0.01; pitch = Math.max(-1.5, Math.min(1.5, pitch + (e.clientY - drag[1]) * 0.01));
      drag = [e.clientX, e.clientY]; draw3d();
    });
    view.addEventListener("wheel", (e) => { e.preventDefault(); zoom = Math.max(0.2, Math.min(5, zoom * Math.exp(e.deltaY * 0.001))); draw3d(); });
    window.addEventListener("keydown", (e) => {
      if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
      if (e.key === " ") { e.preventDefault(); setPlaying(!playing); }
      if (e.key === "ArrowRight") show(frame + 1);
      if (e.key === "ArrowLeft") show(frame - 1);
    });

    this.load = (sequence, startFrame) => {
      seq = sequence; setPlaying(false); slider.max = seq.frames - 1; fit();
      const items = seq.skeletons.map((s, k) => `<span style="color:${k ? COLORS.truth : COLORS.left}">━</span> ${s.label}`);
      if (seq.keypoints && seq.keypoints.fill)
        items.push('2D: <span class="k0">●</span> observed <span class="k1">○</span> interpolated over time <span class="k2">○</span> placed from the body model');
      legend.innerHTML = items.join(" &nbsp; ") + ` &nbsp; <span class="muted">(${seq.frame} frame, ${seq.root_relative ? "root-relative" : "with root motion"}; left blue, right red)</span>`;
      show(startFrame || 0);
    };
    this.show = show;
    this.canvas = view;
  }

  // ---- charts --------------------------------------------------------------------------------
  function barChart(canvas, groups, series) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, left = 50, bottom = 90, top = 20;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    const max = Math.max(1, ...groups.flatMap((g) => series.map((s) => g[s.key] || 0)));
    const slot = (W - left - 10) / groups.length, bar = (slot * 0.8) / series.length;
    ctx.strokeStyle = "#ccc"; ctx.fillStyle = "#666"; ctx.font = "11px sans-serif";
    for (let v = 0; v <= max; v += Math.pow(10, Math.floor(Math.log10(max))) / (max / Math.pow(10, Math.floor(Math.log10(max))) > 5 ? 1 : 2)) {
      const y = H - bottom - ((H - bottom - top) * v) / max;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(W - 10, y); ctx.stroke(); ctx.fillText(v.toFixed(0), 8, y + 4);
    }
    groups.forEach((g, i) => {
      series.forEach((s, k) => {
        const h = ((H - bottom - top) * (g[s.key] || 0)) / max;
        ctx.fillStyle = s.color; ctx.fillRect(left + i * slot + slot * 0.1 + k * bar, H - bottom - h, bar - 1, h);
      });
      ctx.save(); ctx.translate(left + i * slot + slot / 2, H - bottom + 8); ctx.rotate(Math.PI / 4); ctx.fillStyle = "#333"; ctx.fillText(g.name, 0, 0); ctx.restore();
    });
    ctx.fillStyle = "#333"; ctx.fillText("mm", 8, 12);
    series.forEach((s, k) => { ctx.fillStyle = s.color; ctx.fillRect(W - 160, 8 + k * 16, 10, 10); ctx.fillStyle = "#333"; ctx.fillText(s.label, W - 145, 17 + k * 16); });
  }

  function curveChart(canvas, values, step, cursor, label) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, left = 50, bottom = 24, top = 12;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    const max = Math.max(1, ...values), n = values.length;
    ctx.strokeStyle = "#ccc"; ctx.fillStyle = "#666"; ctx.font = "11px sans-serif";
    for (const v of [0, max / 2, max]) {
      const y = H - bottom - ((H - bottom - top) * v) / max;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(W - 8, y); ctx.stroke(); ctx.fillText(v.toFixed(0), 8, y + 4);
    }
    ctx.fillText(label, left, H - 6);
    ctx.strokeStyle = "#1f6fd1"; ctx.lineWidth = 1.5; ctx.beginPath();
    values.forEach((v, i) => { const x = left + ((W - left - 8) * i) / Math.max(1, n - 1), y = H - bottom - ((H - bottom - top) * v) / max; i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.stroke();
    if (cursor !== null && cursor !== undefined) {
      const x = left + ((W - left - 8) * (cursor / step)) / Math.max(1, n - 1);
      ctx.strokeStyle = "#d1431f"; ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, H - bottom); ctx.stroke();
    }
  }

  function table(headers, rows) {
    return el("table", {}, el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, String(c)))))));
  }

  // ---- pages ---------------------------------------------------------------------------------
  const main = document.getElementById("lift3d-report");
  const params = hashParams();

  function inferPage() {
    main.append(el("h1", {}, data.title), el("p", { class: "muted" }, data.subtitle));
    const choice = el("select", {}, ...data.sequences.map((s, i) => el("option", { value: i }, s.name || `sequence ${i + 1}`)));
    if (data.sequences.length > 1) main.append(el("p", {}, "Sequence: ", choice));
    const host = el("div", { class: "player" });
    const timeline = el("canvas", { class: "timeline", width: 990, height: 36, title: "frames with filled keypoints" });
    main.append(host, timeline);
    let current = 0;
    const drawTimeline = (f) => {
      const ctx = timeline.getContext("2d"), s = data.sequences[current], kp = s.keypoints;
      ctx.fillStyle = "#f0f0f0"; ctx.fillRect(0, 0, timeline.width, timeline.height);
      if (kp && kp.fill) {
        const n = kp.names.length;
        for (let k = 0; k < s.frames; ++k) {
          let worst = 0;
          for (let j = 0; j < n; ++j) worst = Math.max(worst, kp.fill.charCodeAt(k * n + j) - 48);
          if (!worst) continue;
          ctx.fillStyle = worst === 1 ? "#e69500" : "#c0002a";
          ctx.fillRect((k / s.frames) * timeline.width, 4, Math.max(1, timeline.width / s.frames), timeline.height - 8);
        }
      }
      ctx.fillStyle = "#222"; ctx.fillRect((f / Math.max(1, s.frames - 1)) * (timeline.width - 2), 0, 2, timeline.height);
    };
    const player = new Player(host, data.skeleton, drawTimeline);
    choice.addEventListener("change", () => { current = +choice.value; player.load(data.sequences[current], 0); });
    current = Math.min(data.sequences.length - 1, +(params.seq || 0));
    choice.value = current;
    player.load(data.sequences[current], +(params.frame || 0));
    return player;
  }

  function evalPage() {
    main.append(el("h1", {}, data.title), el("p", { class: "muted" }, data.subtitle));
    for (const summary of data.summaries) {
      if (summary.subject) main.append(el("h2", {}, `Subject ${summary.subject}`));
      const cols = ["MPJPE", "P-MPJPE", "N-MPJPE", "MPJVE"], keys = ["mpjpe", "p_mpjpe", "n_mpjpe", "mpjve"];
      const rows = summary.groups.map((g) => [g.name, g.videos, g.frames, ...keys.map((k, i) => fmt(g[k], i === 3 ? 2 : 1))]);
      rows.push(["average (action-wise)", "", "", ...keys.map((k, i) => fmt(summary.average[k], i === 3 ? 2 : 1))]);
      main.append(el("h2", {}, "Errors per action (mm)"), table(["action", "videos", "frames", ...cols], rows));
      const bars = el("canvas", { class: "bars", width: 990, height: 320 });
      main.append(bars);
      barChart(bars, summary.groups, [{ key: "mpjpe", label: "MPJPE", color: "#1f6fd1" }, { key: "p_mpjpe", label: "P-MPJPE", color: "#e69500" }]);
    }
    let player = null, playerHost = null;
    if (data.player) {  // the player first: what people look at
      playerHost = el("div", { class: "player" });
      main.append(el("h2", {}, `Prediction and ground truth: ${data.player.name}`), playerHost);
    }
    main.append(el("h2", {}, "Error over time"));
    const videoChoice = el("select", {}, ...data.videos.map((v, i) => el("option", { value: i }, `${v.name} (${fmt(v.mpjpe, 1)} mm)`)));
    const curve = el("canvas", { class: "curve", width: 990, height: 200 });
    main.append(el("p", {}, "Video: ", videoChoice, el("span", { class: "muted" }, " MPJPE per frame, mm")), curve);
    let curveVideo = data.videos.findIndex((v) => v.name === (data.player && data.player.name));
    if (curveVideo < 0) curveVideo = 0;
    const redrawCurve = (cursor) => { const v = data.videos[curveVideo]; curveChart(curve, v.curve, v.curve_step, cursor, `frame (every ${v.curve_step}: mean over ${v.curve_step} frame(s))`); };
    videoChoice.value = curveVideo;
    videoChoice.addEventListener("change", () => { curveVideo = +videoChoice.value; redrawCurve(null); });
    main.append(el("h2", {}, "Worst videos"),
      table(["video", "frames", "MPJPE", "P-MPJPE"], data.worst_videos.map((i) => { const v = data.videos[i]; return [v.name, v.frames, fmt(v.mpjpe, 1), fmt(v.p_mpjpe, 1)]; })),
      el("h2", {}, "Worst frames"),
      table(["video", "frame", "MPJPE"], data.worst_frames.map((w) => [data.videos[w.video].name, w.frame, fmt(w.mpjpe, 1)])));
    redrawCurve(null);
    if (playerHost) {
      const playerVideo = data.videos.findIndex((v) => v.name === data.player.name);
      player = new Player(playerHost, data.skeleton, (f) => { if (curveVideo === playerVideo) redrawCurve(f); });
      player.load(data.player, +(params.frame || 0));
    }
    return player;
  }

  const player = data.kind === "eval" ? evalPage() : inferPage();
  // For tests: a digest of the 3D canvas, and how many of its pixels are not background.
  if (player) {
    const pixels = player.canvas.getContext("2d").getImageData(0, 0, player.canvas.width, player.canvas.height).data;
    let hash = 2166136261, inked = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) ++inked;
      hash = Math.imul(hash ^ (pixels[i] * 65536 + pixels[i + 1] * 256 + pixels[i + 2]), 16777619) >>> 0;
    }
    document.body.dataset.canvasHash = hash.toString(16);
    document.body.dataset.canvasInked = inked;
  }
  document.body.dataset.ready = "1";
})();
)lift3d_js";
}

}  // namespace lift3d::io
