import PostdeskHTTP

/// The portal's one static file, `/static/portal.css`, built in (no files to install, nothing to go stale):
/// readable type, contrast of at least 4.5:1 (WCAG AA) for text and controls, visible focus, a layout that
/// works from a phone to a wide screen, and a print stylesheet that prints a ticket as a clean document
/// (no navigation, forms or buttons; links without their URLs).
enum Assets {
    static let stylesheet = #"""
    :root {
      --ink: #1b1f24; --muted: #4a5360; --line: #c9d0d8; --paper: #ffffff; --wash: #f3f5f8;
      --accent: #0b5cad; --accent-ink: #ffffff; --ok: #1d6b34; --ok-wash: #e6f4ea; --bad: #a4161a; --bad-wash: #fdecec;
      --team: #eef4fb;
    }
    *, *::before, *::after { box-sizing: border-box; }
    html { font-size: 100%; -webkit-text-size-adjust: 100%; }
    body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
           color: var(--ink); background: var(--wash); }
    a { color: var(--accent); }
    a:hover { text-decoration-thickness: 2px; }
    :focus-visible { outline: 3px solid #f0a202; outline-offset: 2px; }
    .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; z-index: 10; }
    .skip:focus { left: .5rem; }
    header.site { background: var(--accent); color: var(--accent-ink); padding: .5rem 1rem;
                  display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem; }
    header.site a, header.site .link { color: var(--accent-ink); }
    .brand { margin: 0; font-weight: 700; font-size: 1.15rem; }
    .brand a { text-decoration: none; }
    nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
    nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 2px; }
    main { max-width: 72rem; margin: 1rem auto; padding: 1rem 1.25rem; background: var(--paper);
           border: 1px solid var(--line); border-radius: 6px; }
    footer.site { max-width: 72rem; margin: 0 auto 2rem; padding: 0 1.25rem; color: var(--muted); font-size: .875rem; }
    h1 { font-size: 1.6rem; line-height: 1.25; margin: .25rem 0 1rem; overflow-wrap: anywhere; }
    h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
    h3 { font-size: 1.05rem; margin: 0; }
    .flash { background: var(--ok-wash); color: var(--ok); border: 1px solid var(--ok); padding: .5rem .75rem; border-radius: 4px; }
    .error, .problems { background: var(--bad-wash); color: var(--bad); border: 1px solid var(--bad); padding: .5rem .75rem;
                        border-radius: 4px; }
    .problems ul { margin: .25rem 0 0; padding-left: 1.25rem; }
    .muted { color: var(--muted); }
    .tabs { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem;
            border-bottom: 2px solid var(--line); }
    .tabs a { display: inline-block; padding: .4rem .8rem; text-decoration: none; border: 1px solid var(--line);
              border-bottom: none; border-radius: 4px 4px 0 0; background: var(--wash); }
    .tabs a[aria-current="page"] { background: var(--accent); color: var(--accent-ink); border-color: var(--accent); }
    form { margin: 0; }
    fieldset { border: 1px solid var(--line); border-radius: 4px; padding: .75rem 1rem 1rem; margin: 0 0 1rem; }
    legend { font-weight: 700; padding: 0 .25rem; }
    label { display: block; font-weight: 600; margin: .5rem 0 .2rem; }
    .hint { display: block; color: var(--muted); font-size: .875rem; font-weight: 400; }
    input[type=text], input[type=search], input[type=email], select, textarea {
      font: inherit; color: inherit; width: 100%; max-width: 40rem; padding: .4rem .5rem;
      border: 1px solid #6b7683; border-radius: 4px; background: var(--paper); }
    textarea { min-height: 10rem; resize: vertical; }
    .filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0 1rem; align-items: end; }
    .filters .wide { grid-column: 1 / -1; }
    button, .button { font: inherit; display: inline-block; margin-top: .75rem; padding: .45rem 1rem; border-radius: 4px;
                      border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer;
                      text-decoration: none; }
    button.secondary, .button.secondary { background: var(--paper); color: var(--accent); }
    button.link { background: none; border: none; padding: 0; margin: 0; text-decoration: underline; color: inherit; }
    form.inline { display: inline; }
    .table { width: 100%; overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    thead th { background: var(--wash); font-size: .9rem; }
    td.subject { overflow-wrap: anywhere; min-width: 12rem; }
    .status { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-size: .875rem; border: 1px solid var(--muted); }
    .pager { display: flex; gap: 1rem; align-items: center; margin-top: 1rem; flex-wrap: wrap; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
    dl.facts dt { font-weight: 600; color: var(--muted); }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    ol.thread { list-style: none; padding: 0; margin: 0; }
    ol.thread > li { border: 1px solid var(--line); border-radius: 4px; padding: .75rem 1rem; margin: 0 0 .75rem; }
    ol.thread > li.team { background: var(--team); }
    .meta { display: flex; flex-wrap: wrap; gap: .25rem 1rem; justify-content: space-between; margin-bottom: .5rem; }
    .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font: inherit; }
    ul.files { margin: .5rem 0 0; padding-left: 1.25rem; }
    .actions { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
    .tools { margin: 0 0 1rem; }
    @media (max-width: 40rem) {
      main { margin: 0; border-radius: 0; border-left: none; border-right: none; padding: .75rem; }
      dl.facts { grid-template-columns: 1fr; }
      dl.facts dd { margin-bottom: .4rem; }
      thead { position: absolute; left: -9999px; }
      table, tbody, tr, td { display: block; width: 100%; }
      tr { border-bottom: 2px solid var(--line); padding: .4rem 0; }
      td { border: none; padding: .1rem .25rem; }
      td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
    }
    @media print {
      body { background: #fff; color: #000; font-size: 11pt; }
      header.site nav, nav, form, button, .button, .skip, .tools, .actions, .pager, .tabs, .flash { display: none !important; }
      header.site { background: none; color: #000; border-bottom: 1px solid #000; padding: 0 0 .25rem; }
      header.site a { color: #000; text-decoration: none; }
      main { border: none; margin: 0; padding: 0; max-width: none; }
      a { color: #000; text-decoration: none; }
      a[href]::after { content: none !important; }
      ol.thread > li { break-inside: avoid; border: none; border-top: 1px solid #000; border-radius: 0; padding: .5rem 0; }
      ol.thread > li.team { background: none; }
      footer.site { color: #000; }
    }
    """#

    static let stylesheetBytes = Array(stylesheet.utf8)
}

extension Portal {
    /// `/static/portal.css`: public and cacheable for an hour (no customer data in it).
    func stylesheet(_ ctx: inout RequestContext) throws -> HTTPResponse {
        ctx.isPrivate = false
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "public, max-age=3600")],
                            body: .bytes(Assets.stylesheetBytes))
    }
}
