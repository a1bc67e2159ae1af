// The golive console's page script: it sends what a member types and
// clicks, and redraws the page when the console changed. No build step.
"use strict";

(function () {
  const body = document.body;
  const as = () => body.dataset.as;

  function flash(text) {
    const el = document.getElementById("flash");
    el.textContent = text;
    el.hidden = !text;
  }

  async function post(path, data) {
    data.set("as", as());
    flash("");
    let resp;
    try {
      resp = await fetch(path, { method: "POST", headers: { "X-Console": "1" }, body: data });
    } catch (e) {
      flash("The console is not answering: is golive still running?");
      return false;
    }
    if (!resp.ok) {
      flash((await resp.text()).trim());
    }
    await redraw();
    return resp.ok;
  }

  // redraw fetches the page again and swaps the parts that changed,
  // keeping what is being typed in the message box and in an open modal.
  let drawing = false;
  async function redraw() {
    if (drawing) return;
    drawing = true;
    try {
      const resp = await fetch(location.href, { headers: { "X-Console": "1" } });
      if (!resp.ok) return;
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      const conv = document.getElementById("conversation");
      const atBottom = conv.scrollHeight - conv.scrollTop - conv.clientHeight < 40;
      for (const id of ["conversation", "clock"]) {
        document.getElementById(id).replaceWith(document.importNode(doc.getElementById(id), true));
      }
      const modal = doc.getElementById("modal-root");
      if (modal.dataset.key !== document.getElementById("modal-root").dataset.key) {
        document.getElementById("modal-root").replaceWith(document.importNode(modal, true));
      }
      body.dataset.v = doc.body.dataset.v;
      if (atBottom) scrollDown();
    } finally {
      drawing = false;
    }
  }

  function scrollDown() {
    const conv = document.getElementById("conversation");
    conv.scrollTop = conv.scrollHeight;
  }

  // where returns what a clicked element belongs to: a message or a view.
  function where(el, data) {
    const msg = el.closest("[data-ts]");
    if (msg) {
      data.set("channel", msg.dataset.channel);
      data.set("ts", msg.dataset.ts);
    }
    const view = el.closest("[data-view]");
    if (view && !msg) data.set("view", view.dataset.view);
  }

  function click(el, selected) {
    const data = new FormData();
    where(el, data);
    data.set("block", el.dataset.block);
    data.set("element", el.dataset.element);
    for (const v of selected) data.append("selected", v);
    return post("/console/click", data);
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-block]");
    if (button) {
      e.preventDefault();
      click(button, []);
      return;
    }
    if (e.target.closest("#demo")) {
      const data = new FormData();
      data.set("channel", e.target.closest("#demo").dataset.channel);
      e.target.closest("#demo").disabled = true;
      post("/console/demo", data);
      return;
    }
    if (e.target.closest("#jump")) {
      post("/console/clock", new FormData());
      return;
    }
    const close = e.target.closest(".modal .close");
    if (close) {
      const data = new FormData();
      data.set("view", close.closest("[data-view]").dataset.view);
      post("/console/close", data);
    }
  });

  document.addEventListener("change", (e) => {
    if (e.target.id === "as") {
      const url = new URL(location.href);
      url.searchParams.set("as", e.target.value);
      if (url.pathname.startsWith("/c/D")) url.pathname = "/c/" + "D" + e.target.value.replace(/^U/, "");
      location.href = url.toString();
      return;
    }
    const group = e.target.closest(".bk-checkboxes[data-block]");
    if (group) {
      const ticked = [...group.querySelectorAll("input:checked")].map((i) => i.value);
      click(group, ticked);
      return;
    }
    const select = e.target.closest("select[data-block]");
    if (select && select.value !== "") {
      click(select, [select.value]);
    }
  });

  document.addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.target;
    if (form.id === "composer") {
      const input = form.querySelector("input[name=text]");
      const data = new FormData();
      data.set("channel", form.dataset.channel);
      data.set("text", input.value);
      // Cleared at once, so that what is typed next is kept; given back
      // when the console refused it.
      const typed = input.value;
      input.value = "";
      post("/console/command", data).then((ok) => {
        if (!ok && input.value === "") input.value = typed;
        scrollDown();
      });
      return;
    }
    if (form.classList.contains("modal")) {
      const data = new FormData(form);
      data.set("view", form.dataset.view);
      // A submitted modal is redrawn from what golive answers.
      document.getElementById("modal-root").dataset.key = "submitting";
      post("/console/submit", data);
    }
  });

  // Poll for changes golive makes after answering (its posts come later).
  setInterval(async () => {
    try {
      const resp = await fetch("/console/poll");
      const v = String((await resp.json()).v);
      if (v !== body.dataset.v) redraw();
    } catch (e) {
      /* the next poll tries again */
    }
  }, 500);

  scrollDown();
})();
