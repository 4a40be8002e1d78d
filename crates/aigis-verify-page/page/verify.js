// The page's logic: read the chosen files, run the verifier, show the report.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let ready = null;
  function load() {
    if (!ready) {
      const raw = atob(AIGIS_VERIFY_WASM);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      ready = wasm_bindgen({ module_or_path: bytes }).then(() => {
        $("version").textContent = "Verifier: " + wasm_bindgen.version();
      });
    }
    return ready;
  }
  const files = { pack: null, previous: null };
  async function bytesOf(file) {
    return new Uint8Array(await file.arrayBuffer());
  }
  function cell(tr, text, tag) {
    const td = document.createElement(tag || "td");
    td.textContent = text === undefined || text === null ? "" : String(text);
    tr.appendChild(td);
  }
  function show(outcome, name) {
    const r = outcome.report;
    const verdict = $("verdict");
    verdict.className = r.ok ? "ok" : "failed";
    verdict.textContent = (r.ok ? "OK: the evidence pack verifies" : "FAILED: the evidence pack does not verify") + " (" + name + ")";
    const box = $("findings");
    box.textContent = "";
    if (r.failure) {
      const t = document.createElement("table");
      t.id = "failure";
      const head = document.createElement("tr");
      ["Rule", "File", "Line", "Seq", "Field", "Message"].forEach((h) => cell(head, h, "th"));
      t.appendChild(head);
      const f = r.failure;
      const tr = document.createElement("tr");
      [f.rule, f.file, f.line, f.seq, f.field, f.message].forEach((v) => cell(tr, v));
      t.appendChild(tr);
      box.appendChild(t);
    }
    [r.provenFrom, r.anchor, r.previous, r.unpinned].filter(Boolean).forEach((n) => {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = n;
      box.appendChild(p);
    });
    const pre = $("text");
    pre.hidden = false;
    pre.textContent = outcome.text;
  }
  async function run() {
    if (!files.pack) return;
    $("verdict").className = "";
    $("verdict").textContent = "Verifying " + files.pack.name + "…";
    try {
      await load();
      const trusted = $("trusted").value.trim();
      const options = JSON.stringify(trusted ? { trustedKey: trusted } : {});
      const previous = files.previous ? await bytesOf(files.previous) : undefined;
      const json = wasm_bindgen.verify(await bytesOf(files.pack), previous, options);
      show(JSON.parse(json), files.pack.name);
    } catch (e) {
      $("verdict").className = "failed";
      $("verdict").textContent = "The verifier could not run: " + (e && e.message ? e.message : e);
    }
  }
  $("pack").addEventListener("change", (e) => { files.pack = e.target.files[0] || null; run(); });
  $("previous").addEventListener("change", (e) => { files.previous = e.target.files[0] || null; run(); });
  $("trustedFile").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (f) $("trusted").value = (await f.text()).trim();
    run();
  });
  $("again").addEventListener("click", run);
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer.files[0];
    if (f) { files.pack = f; run(); }
  });
  load().catch((e) => { $("verdict").textContent = "The verifier could not load: " + e; });
})();
