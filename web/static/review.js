// The staff review workspace (web/review.py): edit cues against the video, keyboard first.
// Cue text is only ever put into the page with textContent or input values, so "<b>" or
// "{\pos(1,2)}" typed by staff stays text. Shortcuts never fire while an input method is
// composing Chinese, and inside a text field only Alt/Ctrl combinations do.
(function () {
  "use strict";
  var root = document.getElementById("workspace");
  if (!root) { return; }
  var base = root.dataset.base, csrf = root.dataset.csrf;
  var video = document.getElementById("review-video");
  var list = document.getElementById("cues");
  var state = { cues: [], analysis: [], keep: {}, priv: [], revision: 0, current: 0,
                dirty: false, saving: false, conflicted: false, gone: false, loop: false };
  var saveTimer = null, checkTimer = null, composing = false;
  var PRIVATE_PAD_MS = 300;
  var LOGGED_OUT = "登录已过期：请在新标签页重新登录，再回到这里按 Ctrl+S 保存（修改仍在编辑器中）。";

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function clock(ms) {
    var s = Math.max(0, ms) / 1000, m = Math.floor(s / 60);
    return m + ":" + (s - m * 60).toFixed(1).padStart(4, "0");
  }
  // A time as the server sent it: shown in the office's zone, machine-readable with its offset.
  function timeEl(t) {
    var node = el("time", "", t ? t.text : "");
    if (t) { node.dateTime = t.iso; }
    return node;
  }
  function joined(text) { return text.replace(/\n/g, ""); }
  var SOURCES = { machine: "机器识别", script: "稿件对齐", browser: "网页修改", editor: "字幕软件修改",
                  revert: "恢复旧版", "import": "导入" };

  // The session may end while staff edit (idle timeout, logout in another tab). A save then
  // fails its CSRF check (400, not JSON): fetch a fresh token with /state and try once more,
  // so logging in again in another tab is enough; nothing typed is lost either way.
  function request(method, path, body, retried) { return call(method, base + path, body, retried); }

  function call(method, url, body, retried) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrf;
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.redirected && response.url.indexOf("/auth/login") >= 0) {
        return { status: 401, data: { error: LOGGED_OUT } };
      }
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      }, function () {
        if (response.status === 400 && body !== undefined && !retried) {
          return request("GET", "/state").then(function (r) {
            if (r.status !== 200) { return r; }
            csrf = r.data.csrf;
            return call(method, url, body, true);
          });
        }
        return { status: response.status,
                 data: { error: "服务器没有正常响应（" + response.status + "），修改仍在编辑器中，请稍后再试。" } };
      });
    }).catch(function () {
      return { status: 0, data: { error: "网络中断，修改还在编辑器中，恢复后会自动保存。" } };
    });
  }

  function say(text) { $("status").textContent = text; }
  function problem(text) { var box = $("problem"); box.textContent = text || ""; box.hidden = !text; }

  // ---- loading and rendering ------------------------------------------------------
  function load() {
    return request("GET", "/state").then(function (r) {
      if (r.status !== 200) { return failed(r); }
      var d = r.data;
      state.cues = d.cues; state.analysis = d.analysis; state.priv = d.private;
      state.revision = d.revision ? d.revision.number : 0;
      state.keep = {};
      d.analysis.forEach(function (a, i) { if (a.kept.some(Boolean)) { state.keep[i] = a.kept.slice(); } });
      state.dirty = false; state.conflicted = false;
      $("conflict").hidden = true;
      showStage(d.stage, d.review, d.approved);
      showJob(d.job);
      renderCues();
      renderHistory(d.history);
      fillMeta(d.meta);
      say(d.revision ? "第 " + d.revision.number + " 版，" + d.revision.author + " 保存" : "还没有字幕");
    });
  }

  function showStage(stage, review, approved) {
    $("stage").textContent = stage + (stage === review ? "" : "，字幕" + review) +
      (approved ? "（已审核第 " + approved.number + " 版）" : "");
  }

  function renderCues() {
    list.textContent = "";
    state.cues.forEach(function (cue, i) { list.appendChild(cueRow(i)); });
    setCurrent(Math.min(state.current, state.cues.length - 1), false);
  }

  function cueRow(i) {
    var cue = state.cues[i], li = el("li", "cue");
    li.dataset.index = i;
    var head = el("div", "cue-head");
    var seek = el("button", "cue-time", "");
    seek.type = "button"; seek.dataset.act = "seek";
    head.appendChild(seek);
    li.appendChild(head);
    var text = el("textarea", "cue-text");
    text.rows = 2; text.value = cue.text; text.spellcheck = false;
    text.setAttribute("aria-label", "第 " + (i + 1) + " 句字幕");
    li.appendChild(text);
    li.appendChild(el("div", "cue-assist"));
    li.appendChild(el("div", "cue-plain"));
    li.appendChild(el("ul", "cue-problems"));
    paintRow(li, i);
    return li;
  }

  function paintRow(li, i) {
    var cue = state.cues[i], a = state.analysis[i] || { plain: [], kept: [], suggestions: [], marks: [],
                                                       violations: [], plain_violations: [] };
    li.querySelector(".cue-time").textContent = "#" + (i + 1) + "  " + clock(cue.start_ms) + " – " + clock(cue.end_ms);
    var assist = li.querySelector(".cue-assist");
    assist.textContent = "";
    var flat = joined(cue.text);
    if (a.marks.length) {
      var line = el("p", "marked"), at = 0;
      line.appendChild(el("span", "track-label", "请核对"));
      a.marks.forEach(function (m) {
        line.appendChild(document.createTextNode(flat.slice(at, m.start)));
        var mark = el("mark", "unsure", flat.slice(m.start, m.end));
        mark.title = "识别把握 " + Math.round(m.probability * 100) + "%";
        line.appendChild(mark);
        at = m.end;
      });
      line.appendChild(document.createTextNode(flat.slice(at)));
      assist.appendChild(line);
    }
    a.suggestions.forEach(function (s, k) {
      var button = el("button", "suggestion", "建议：" + s.before + " → " + s.after + (k === 0 ? "（Alt+Enter）" : ""));
      button.type = "button"; button.dataset.act = "accept"; button.dataset.k = k;
      assist.appendChild(button);
    });
    var plain = li.querySelector(".cue-plain");
    plain.textContent = "";
    plain.appendChild(el("span", "track-label", "通俗版"));
    var kept = state.keep[i] || a.kept, r = 0;
    a.plain.forEach(function (part) {
      if (!part.before) { plain.appendChild(document.createTextNode(part.text)); return; }
      var k = r++, keep = !!kept[k];
      var mark = el("mark", "replaced", keep ? part.before : part.text);
      mark.title = keep ? "保留规范说法：" + part.before : "原文“" + part.before + "”改为“" + part.text + "”";
      plain.appendChild(mark);
      var label = el("label", "keep"), box = el("input");
      box.type = "checkbox"; box.checked = keep; box.dataset.act = "keep"; box.dataset.k = k;
      label.appendChild(box);
      label.appendChild(document.createTextNode("保留规范说法"));
      plain.appendChild(label);
    });
    var problems = li.querySelector(".cue-problems");
    problems.textContent = "";
    a.violations.forEach(function (v) { problems.appendChild(el("li", "", "原文：" + v)); });
    a.plain_violations.forEach(function (v) { problems.appendChild(el("li", "", "通俗版：" + v)); });
    li.classList.toggle("has-problem", a.violations.length + a.plain_violations.length > 0);
  }

  function row(i) { return list.children[i]; }

  function setCurrent(i, focus) {
    if (i < 0 || i >= state.cues.length) { return; }
    var old = row(state.current);
    if (old) { old.classList.remove("current"); }
    state.current = i;
    row(i).classList.add("current");
    showNow();
    if (focus) {
      row(i).querySelector(".cue-text").focus({ preventScroll: true });
      reveal(row(i));
    }
  }

  // Scroll the cue list, not the page, so the video stays where it is (on a phone the
  // list is part of the page and the page scrolls).
  function reveal(li) {
    if (list.scrollHeight <= list.clientHeight) { li.scrollIntoView({ block: "nearest" }); return; }
    var top = li.offsetTop;
    if (top < list.scrollTop || top + li.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = top - 8;
    }
  }

  function showNow() {
    $("now-cue").textContent = "当前第 " + (state.current + 1) + " 句：" + joined(state.cues[state.current].text);
  }

  function go(step) {
    var i = Math.max(0, Math.min(state.cues.length - 1, state.current + step));
    setCurrent(i, true);
    if (video) { video.currentTime = state.cues[i].start_ms / 1000; }
  }

  // ---- editing ---------------------------------------------------------------------
  function edited(structural) {
    state.dirty = true;
    problem("");
    showNow();
    if (structural) { renderCues(); setCurrent(state.current, true); }
    say("有未保存的修改……");
    clearTimeout(saveTimer); saveTimer = setTimeout(save, 1500);
    clearTimeout(checkTimer); checkTimer = setTimeout(check, 500);
  }

  function check() {
    request("POST", "/check", { cues: state.cues, keep: state.keep }).then(function (r) {
      if (r.status !== 200) { if (r.status !== 404) { problem(r.data.error); } return; }
      state.analysis = r.data.analysis;
      problem(r.data.blocking);
      state.keep = {};
      state.analysis.forEach(function (a, i) { if (a.kept.some(Boolean)) { state.keep[i] = a.kept.slice(); } });
      for (var i = 0; i < state.cues.length && i < list.children.length; i++) { paintRow(row(i), i); }
    });
  }

  function save() {
    clearTimeout(saveTimer);
    if (!state.dirty || state.conflicted || state.gone) { return Promise.resolve(); }
    if (state.saving) { saveTimer = setTimeout(save, 500); return Promise.resolve(); }
    state.saving = true; state.dirty = false;
    say("正在保存……");
    var body = { base: state.revision, cues: state.cues, private: state.priv, keep: state.keep };
    return request("POST", "/save", body).then(function (r) {
      state.saving = false;
      if (r.status === 200) {
        state.revision = r.data.revision.number;
        say("已自动保存：第 " + state.revision + " 版（" + r.data.revision.author + "）" +
            r.data.learned.map(function (c) { return "；已记住 " + c.heard + " → " + c.after + "，以后自动改"; }).join(""));
        if (r.data.warning) { problem(r.data.warning); }
        if (r.data.learned.length) { loadCorrections(); }
        refreshHistory();
        return;
      }
      state.dirty = true;
      if (r.status === 409) {
        state.conflicted = true;
        $("conflict-text").textContent = r.data.error;
        $("conflict").hidden = false;
        say("没有保存：有人保存了更新的版本");
        return;
      }
      if (r.status === 404) { state.gone = true; }
      if (typeof r.data.cue === "number") { setCurrent(r.data.cue - 1, false); }
      problem(r.data.error);
      say("没有保存，修改仍在编辑器中");
    });
  }

  function failed(r) {
    if (r.status === 404) { state.gone = true; }
    problem(r.data.error);
  }

  function nudge(which, delta) {
    var cue = state.cues[state.current];
    cue[which] = Math.max(0, cue[which] + delta);
    edited(false); paintRow(row(state.current), state.current);
  }

  function fromPlayhead(which) {
    if (!video) { return; }
    state.cues[state.current][which] = Math.round(video.currentTime * 1000);
    edited(false); paintRow(row(state.current), state.current);
  }

  function split() {
    var i = state.current, cue = state.cues[i], text = row(i).querySelector(".cue-text");
    var at = text.selectionStart, flat = joined(cue.text.slice(0, at)).length, total = joined(cue.text).length;
    if (at <= 0 || at >= cue.text.length) { problem("请先把光标放在要拆分的位置（不能在开头或结尾）。"); return; }
    var middle = Math.round(cue.start_ms + (cue.end_ms - cue.start_ms) * flat / total);
    state.cues.splice(i, 1, { start_ms: cue.start_ms, end_ms: middle, text: cue.text.slice(0, at).trim() },
                      { start_ms: middle, end_ms: cue.end_ms, text: cue.text.slice(at).trim() });
    shiftKeep(i, 1);
    state.analysis.splice(i, 1, state.analysis[i], state.analysis[i]);
    edited(true);
  }

  function merge() {
    var i = state.current;
    if (i + 1 >= state.cues.length) { problem("这是最后一句，没有下一句可合并。"); return; }
    var a = state.cues[i], b = state.cues[i + 1];
    state.cues.splice(i, 2, { start_ms: a.start_ms, end_ms: b.end_ms, text: a.text + b.text });
    state.analysis.splice(i + 1, 1);
    shiftKeep(i, -1);
    edited(true);
  }

  function shiftKeep(i, by) {
    var moved = {};
    Object.keys(state.keep).forEach(function (key) {
      var n = Number(key);
      if (n === i || (by < 0 && n === i + 1)) { return; }  // the edited cues' choices go with their text
      moved[n > i ? n + by : n] = state.keep[key];
    });
    state.keep = moved;
  }

  function markPrivate() {
    var i = state.current, cue = state.cues[i], text = row(i).querySelector(".cue-text");
    var from = text.selectionStart, to = text.selectionEnd;
    if (to <= from) { problem("请先在字幕框中选中要隐去的文字（如来电者的姓名、电话）。"); return; }
    var total = joined(cue.text).length, before = joined(cue.text.slice(0, from)).length,
        upto = joined(cue.text.slice(0, to)).length, span = cue.end_ms - cue.start_ms;
    // Times are read from the characters' place in the cue, which is only roughly where
    // they were said: the muted stretch is widened so the words are surely inside it.
    state.priv.push({ start_ms: Math.max(0, Math.floor(cue.start_ms + span * before / total) - PRIVATE_PAD_MS),
                      end_ms: Math.ceil(cue.start_ms + span * upto / total) + PRIVATE_PAD_MS, note: "隐私" });
    cue.text = cue.text.slice(0, from) + cue.text.slice(to);
    text.value = cue.text;
    edited(false);
    say("已把 " + (upto - before) + " 个字标为隐私：移出字幕，这段声音在新视频里消音");
  }

  function accept(k) {
    var i = state.current, s = (state.analysis[i] || { suggestions: [] }).suggestions[k || 0];
    if (!s) { say("这一句没有术语建议"); return; }
    var cue = state.cues[i], flat = joined(cue.text);
    if (flat.slice(s.start, s.end) !== s.before) { check(); return; }  // text changed since: ask again
    var out = "", seen = 0;  // map offsets of the joined text back to the text with line breaks
    for (var c = 0; c < cue.text.length; c++) {
      var ch = cue.text[c];
      if (ch === "\n") { out += ch; continue; }
      if (seen === s.start) { out += s.after; }
      if (seen < s.start || seen >= s.end) { out += ch; }
      seen++;
    }
    if (seen === s.start) { out += s.after; }
    cue.text = out;
    row(i).querySelector(".cue-text").value = out;
    state.analysis[i].suggestions = [];
    paintRow(row(i), i);
    edited(false);
    say("已接受建议：" + s.before + " → " + s.after);
  }

  function toggleLoop() {
    state.loop = !state.loop;
    $("loop").setAttribute("aria-pressed", String(state.loop));
    if (state.loop && video) { video.currentTime = state.cues[state.current].start_ms / 1000; play(true); }
  }

  function play(force) {
    if (!video) { return; }
    if (video.paused || force) { var p = video.play(); if (p) { p.catch(function () {}); } } else { video.pause(); }
  }

  var ACTIONS = {
    "start-100": function () { nudge("start_ms", -100); }, "start+100": function () { nudge("start_ms", 100); },
    "end-100": function () { nudge("end_ms", -100); }, "end+100": function () { nudge("end_ms", 100); },
    "start-here": function () { fromPlayhead("start_ms"); }, "end-here": function () { fromPlayhead("end_ms"); },
    "split": split, "merge": merge, "loop": toggleLoop, "private": markPrivate
  };
  // Alt+key (event.code, so the keyboard layout does not matter) -> action
  var ALT_KEYS = { Digit1: "start-100", Digit2: "start+100", Digit3: "end-100", Digit4: "end+100",
                   KeyS: "start-here", KeyE: "end-here", Slash: "split", KeyM: "merge", KeyL: "loop",
                   KeyP: "private" };

  document.addEventListener("compositionstart", function () { composing = true; }, true);
  document.addEventListener("compositionend", function () { composing = false; }, true);

  document.addEventListener("keydown", function (event) {
    if (event.isComposing || composing || event.keyCode === 229) { return; }  // typing Chinese
    if (!state.cues.length) { return; }  // no transcript yet: nothing to act on
    var inField = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    var handled = true;
    if ((event.ctrlKey || event.metaKey) && event.code === "KeyS") { save(); }
    else if (event.altKey && !event.ctrlKey && !event.metaKey) {
      if (ALT_KEYS[event.code]) { ACTIONS[ALT_KEYS[event.code]](); }
      else if (event.code === "KeyK") { play(); }
      else if (event.code === "ArrowUp") { go(-1); }
      else if (event.code === "ArrowDown") { go(1); }
      else if (event.code === "Enter") { accept(0); }
      else { handled = false; }
    } else if (!inField && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (event.code === "Space") { play(); }
      else if (event.code === "ArrowUp") { go(-1); }
      else if (event.code === "ArrowDown") { go(1); }
      else { handled = false; }
    } else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // Text being composed (pinyin not yet turned into characters) is neither checked nor
  // saved: the cue takes the field's value when the composition ends.
  function typed(event) {
    if (!event.target.classList.contains("cue-text") || event.isComposing) { return; }
    var i = Number(event.target.closest("li").dataset.index);
    state.cues[i].text = event.target.value;
    edited(false);
  }
  list.addEventListener("input", typed);
  list.addEventListener("compositionend", typed);
  list.addEventListener("focusin", function (event) {
    var li = event.target.closest("li.cue");
    if (li && Number(li.dataset.index) !== state.current) { setCurrent(Number(li.dataset.index), false); }
  });
  list.addEventListener("click", function (event) {
    var target = event.target, li = target.closest("li.cue");
    if (!li) { return; }
    var i = Number(li.dataset.index);
    if (target.dataset.act === "seek") { setCurrent(i, true); if (video) { video.currentTime = state.cues[i].start_ms / 1000; } }
    else if (target.dataset.act === "accept") { setCurrent(i, false); accept(Number(target.dataset.k)); }
  });
  list.addEventListener("change", function (event) {
    if (event.target.dataset.act !== "keep") { return; }
    var i = Number(event.target.closest("li").dataset.index);
    var flags = (state.keep[i] || state.analysis[i].kept).slice();
    flags[Number(event.target.dataset.k)] = event.target.checked;
    state.keep[i] = flags;
    paintRow(row(i), i);
    edited(false);
  });
  document.querySelector(".cue-tools").addEventListener("click", function (event) {
    var act = event.target.dataset.act;
    if (act && ACTIONS[act] && state.cues.length) { ACTIONS[act](); }
  });

  if (video) {
    video.addEventListener("timeupdate", function () {
      var ms = video.currentTime * 1000, cue = state.cues[state.current];
      if (state.loop && cue && ms >= cue.end_ms) { video.currentTime = cue.start_ms / 1000; return; }
      var playing = list.querySelector(".playing");
      if (playing) { playing.classList.remove("playing"); }
      for (var i = 0; i < state.cues.length; i++) {
        if (state.cues[i].start_ms <= ms && ms < state.cues[i].end_ms) { row(i).classList.add("playing"); break; }
      }
    });
  }

  // ---- conflict, history, review and publishing -----------------------------------
  // The server merges per cue against the revision this editor opened (state.revision):
  // only the cues changed here are applied, edits saved meanwhile stay, and a cue both
  // changed keeps the saved text and comes back as a conflict with this editor's text.
  $("reapply").addEventListener("click", function () {
    var body = { base: state.revision, cues: state.cues, private: state.priv, keep: state.keep, reapply: true };
    request("POST", "/save", body).then(function (r) {
      if (r.status === 409) { $("conflict-text").textContent = r.data.error; return; }
      if (r.status !== 200) { return failed(r); }
      return load().then(function () {
        say("已在最新版本上重新应用您的修改：第 " + r.data.revision.number + " 版");
        var clashes = r.data.conflicts;
        if (clashes.length) {
          problem(clashes.map(function (c) { return c.message; }).join(" "));
          setCurrent(clashes[0].cue - 1, false);
        }
      });
    });
  });
  $("discard").addEventListener("click", load);

  function refreshHistory() {
    request("GET", "/state").then(function (r) {
      if (r.status === 200) { renderHistory(r.data.history); showStage(r.data.stage, r.data.review, r.data.approved); }
    });
  }

  function renderHistory(history) {
    var ol = $("history");
    ol.textContent = "";
    history.forEach(function (h) {
      var li = el("li", "", "第 " + h.number + " 版 · " + h.author + " · ");
      li.appendChild(timeEl(h.when));
      li.appendChild(document.createTextNode(" · " + (SOURCES[h.source] || h.source) + " "));
      var show = el("button", "", "查看改动"), back = el("button", "", "恢复此版本");
      show.type = back.type = "button";
      show.addEventListener("click", function () { showDiff(h.number); });
      back.addEventListener("click", function () { revert(h.number); });
      li.appendChild(show);
      if (h.number !== state.revision) { li.appendChild(back); }
      ol.appendChild(li);
    });
  }

  function showDiff(number) {
    request("GET", "/revisions/" + number).then(function (r) {
      var box = $("diff");
      box.textContent = "";
      if (r.status !== 200) { box.textContent = r.data.error; return; }
      box.appendChild(el("h3", "", "第 " + number + " 版的改动（" + r.data.changes.length + " 处）"));
      r.data.changes.forEach(function (c) {
        var p = el("p", "change");
        if (c.before) { p.appendChild(el("del", "", clock(c.before.start_ms) + " " + joined(c.before.text))); }
        if (c.after) { p.appendChild(el("ins", "", clock(c.after.start_ms) + " " + joined(c.after.text))); }
        box.appendChild(p);
      });
    });
  }

  function revert(number) {
    save().then(function () {
      return request("POST", "/revert", { base: state.revision, to: number });
    }).then(function (r) {
      if (r.status === 200) { load().then(function () { say("已恢复为第 " + number + " 版的内容（新的第 " + r.data.revision.number + " 版）"); }); }
      else { problem(r.data.error); }
    });
  }

  function action(path, body, done) {
    clearTimeout(saveTimer);
    return save().then(function () {
      if (state.dirty || state.conflicted) { problem("请先解决未保存的修改。"); return; }
      return request("POST", path, body(state.revision)).then(function (r) {
        if (r.status !== 200) { problem(r.data.error); return; }
        problem("");
        done(r.data);
        refreshHistory();
      });
    });
  }

  $("submit").addEventListener("click", function () {
    action("/submit", function () { return {}; }, function () { say("已提交审核"); });
  });
  $("approve").addEventListener("click", function () {
    action("/approve", function (n) { return { revision: n }; }, function (d) {
      say("审核通过：第 " + d.approved + " 版，" + d.by + "，" + d.at.text);
      showJob(d.job); pollJob();
    });
  });
  $("publish-now").addEventListener("click", function () {
    action("/publish", function () { return { action: "now" }; }, function () { say("已发布"); });
  });
  $("schedule").addEventListener("click", function () {
    action("/publish", function () { return { action: "schedule", at: $("publish-at").value }; },
           function (d) { say("已定时发布：" + d.publish_at.text); });
  });
  $("unpublish").addEventListener("click", function () {
    action("/publish", function () { return { action: "unpublish" }; }, function () { say("已撤回发布"); });
  });
  $("archive").addEventListener("click", function () {
    action("/publish", function () { return { action: "archive" }; }, function () { say("已下线"); });
  });

  function showJob(job) { $("job").textContent = job ? job.label : ""; }
  function pollJob() {
    request("GET", "/job").then(function (r) {
      if (r.status !== 200) { return; }
      showJob(r.data.job);
      if (r.data.job && (r.data.job.state === "queued" || r.data.job.state === "running")) { setTimeout(pollJob, 2000); }
    });
  }

  // ---- find and replace, metadata --------------------------------------------------
  var pending = null;
  $("find-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var find = $("find").value, repl = $("replace").value, box = $("find-preview");
    box.textContent = ""; pending = null; $("replace-all").disabled = true;
    if (!find) { return; }
    var hits = [];
    state.cues.forEach(function (cue, i) { if (cue.text.indexOf(find) >= 0) { hits.push(i); } });
    box.appendChild(el("p", "", hits.length ? "共 " + hits.length + " 句要改：" : "没有找到“" + find + "”。"));
    hits.forEach(function (i) {
      var p = el("p", "change"), parts = joined(state.cues[i].text).split(find);
      p.appendChild(el("span", "", "#" + (i + 1) + " "));
      parts.forEach(function (part, k) {
        p.appendChild(document.createTextNode(part));
        if (k < parts.length - 1) { p.appendChild(el("del", "", find)); p.appendChild(el("ins", "", repl)); }
      });
      box.appendChild(p);
    });
    if (hits.length) { pending = { find: find, repl: repl, hits: hits }; $("replace-all").disabled = false; }
  });
  $("replace-all").addEventListener("click", function () {
    if (!pending) { return; }
    pending.hits.forEach(function (i) { state.cues[i].text = state.cues[i].text.split(pending.find).join(pending.repl); });
    var count = pending.hits.length;
    pending = null; $("replace-all").disabled = true; $("find-preview").textContent = "";
    edited(true);
    say("已替换 " + count + " 句");
  });

  function fillMeta(meta) {
    var form = $("meta-form");
    ["title", "summary", "category", "guests"].forEach(function (name) { form.elements[name].value = meta[name]; });
  }
  $("meta-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target, body = {};
    ["title", "summary", "category", "guests"].forEach(function (name) { body[name] = form.elements[name].value; });
    request("POST", "/meta", body).then(function (r) {
      if (r.status === 200) { problem(""); say("节目信息已保存"); } else { problem(r.data.error); }
    });
  });

  // ---- corrections the glossary learned (以后自动改) --------------------------------
  var taught = root.dataset.corrections;
  function loadCorrections() {
    call("GET", taught).then(function (r) {
      var ol = $("corrections");
      ol.textContent = "";
      if (r.status !== 200) { ol.appendChild(el("li", "", r.data.error)); return; }
      r.data.corrections.forEach(function (c) {
        var li = el("li", c.active ? "" : "undone", c.heard + " → " + c.after + " · " + c.reason + " · " + c.by + " · ");
        li.appendChild(timeEl(c.at));
        li.appendChild(document.createTextNode(c.active ? " " : " · 已由 " + c.undone_by + " 撤销"));
        if (c.active) {
          var button = el("button", "", "撤销");
          button.type = "button";
          button.addEventListener("click", function () {
            call("POST", taught + c.id + "/undo", {}).then(function (u) {
              if (u.status !== 200) { problem(u.data.error); return; }
              say("已撤销：" + c.heard + " → " + c.after); loadCorrections();
            });
          });
          li.appendChild(button);
        }
        ol.appendChild(li);
      });
    });
  }
  $("teach-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    call("POST", taught, { heard: form.elements.heard.value, after: form.elements.after.value }).then(function (r) {
      if (r.status !== 200) { problem(r.data.error); return; }
      problem(""); form.reset();
      say("已记住：" + r.data.correction.heard + " → " + r.data.correction.after + "，以后自动改");
      loadCorrections();
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  load();
  loadCorrections();
}());
