// The player of `conctui export --html`: written by conctui, loads nothing, runs from this page.
// The frames (JSON beside this script) hold each distinct screen row once, as escaped HTML,
// and per frame [seconds, row, index, row, index, ...]: only the rows that changed.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("frames").textContent);
  const screen = document.getElementById("screen");
  const play = document.getElementById("play");
  const slider = document.getElementById("slider");
  const time = document.getElementById("time");
  const speed = document.getElementById("speed");
  const SPEEDS = Array.from(speed.options, (option) => Number(option.value));
  const SEEK_S = 5;

  const rows = [];  // one element per terminal row
  for (let i = 0; i < data.height; i++) {
    rows.push(screen.appendChild(document.createElement("div")));
  }
  let shown = new Array(data.height).fill(-1);  // the row index each element shows
  let wanted = shown.slice();
  let next = 0;  // the first frame not yet folded into `wanted`
  let clock = 0;  // seconds into the recording
  let playing = false;
  let last = null;  // the animation time of the previous tick, while playing

  // Show the screen as it was at `t` seconds: fold frames forward, or from the start to go back.
  function seek(t) {
    clock = Math.min(Math.max(t, 0), data.duration);
    if (next > 0 && data.frames[next - 1][0] > clock) {
      wanted.fill(-1);
      next = 0;
    }
    while (next < data.frames.length && data.frames[next][0] <= clock) {
      const frame = data.frames[next++];
      for (let k = 1; k < frame.length; k += 2) wanted[frame[k]] = frame[k + 1];
    }
    for (let row = 0; row < data.height; row++) {
      if (shown[row] !== wanted[row]) {
        rows[row].innerHTML = wanted[row] < 0 ? "" : data.rows[wanted[row]];
        shown[row] = wanted[row];
      }
    }
    slider.value = clock;
    time.textContent = `${clock.toFixed(1)} / ${data.duration.toFixed(1)} s`;
  }

  function setPlaying(on) {
    if (on && clock >= data.duration) seek(0);  // play at the end starts again
    playing = on;
    last = null;
    play.textContent = on ? "pause" : "play";
    if (on) requestAnimationFrame(tick);
  }

  function tick(now) {
    if (!playing) return;
    if (last !== null) seek(clock + ((now - last) / 1000) * Number(speed.value));
    last = now;
    if (clock >= data.duration) setPlaying(false);
    else requestAnimationFrame(tick);
  }

  function stepSpeed(by) {
    const i = SPEEDS.indexOf(Number(speed.value)) + by;
    if (i >= 0 && i < SPEEDS.length) speed.value = String(SPEEDS[i]);
  }

  play.addEventListener("click", () => setPlaying(!playing));
  slider.addEventListener("input", () => seek(Number(slider.value)));
  document.addEventListener("keydown", (event) => {
    const keys = {
      " ": () => setPlaying(!playing),
      ArrowLeft: () => seek(clock - SEEK_S),
      ArrowRight: () => seek(clock + SEEK_S),
      "<": () => stepSpeed(-1),
      ">": () => stepSpeed(1),
    };
    if (event.target instanceof Element && event.target.closest("button, input, select")) return;  // a focused control handles its own keys
    if (keys[event.key]) {
      keys[event.key]();
      event.preventDefault();
    }
  });

  slider.max = data.duration;
  const query = new URLSearchParams(location.search);
  if (query.has("speed") && SPEEDS.includes(Number(query.get("speed")))) speed.value = query.get("speed");
  const at = Number(query.get("t"));
  if (query.has("t") && Number.isFinite(at)) {
    seek(at);  // a link to a moment opens paused there
    setPlaying(false);
  } else {
    seek(0);
    setPlaying(true);
  }
})();
