/**
 * The console's style sheet, served as a file (the pages' policy allows no inline style). Text contrast at least 7:1
 * on every background; each locker status has a pattern as well as a colour, and its name in words; a 3px focus ring
 * on every control reached by keyboard.
 */
const heights = Array.from({ length: 30 }, (_, i) => `.h${i + 1}{min-height:${(i + 1) * 1.1}rem}`).join('');

export const CONSOLE_CSS = `
*{box-sizing:border-box}
html{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
body{margin:0}
a{color:#0b4f9c}
:focus-visible{outline:3px solid #c25400;outline-offset:2px}
.skip{position:absolute;left:-999rem;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;padding:.5rem 1.5rem;background:#0b2f5c;color:#fff}
header.top a,header.top .brand{color:#fff}
.brand{font-weight:700;font-size:1.125rem;text-decoration:none}
.who{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.who form{display:inline;margin:0}
.who button,.who select{font:inherit;padding:.25rem .5rem;border-radius:4px;border:2px solid #fff;background:#0b2f5c;color:#fff}
.who button{cursor:pointer}
.who label{color:#fff}
nav.menu{background:#e8eef6;border-bottom:1px solid #9aa9bb}
nav.menu ul{list-style:none;margin:0;padding:0 1rem;display:flex;flex-wrap:wrap}
nav.menu a{display:block;padding:.625rem .875rem;text-decoration:none;color:#0b2f5c;font-weight:600}
nav.menu a[aria-current=page]{border-bottom:4px solid #0b2f5c}
main{padding:1.25rem 1.5rem 3rem;max-width:90rem}
main:focus{outline:none}
h1{font-size:1.6rem;line-height:1.2;margin:0 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
.toolbar{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:flex-end;margin:0 0 1rem}
.toolbar .field{margin:0}
.field{margin:0 0 1rem}
.field label,.field legend{display:block;font-weight:600;margin-bottom:.25rem}
.hint{margin:.125rem 0 .375rem;color:#3d3d3d;font-size:.9375rem}
.field-error{margin:.125rem 0 .375rem;color:#a00000;font-weight:600}
input[type=text],input[type=email],input[type=password],input[type=search],input[type=number],input[type=date],input[type=datetime-local],select,textarea{font:inherit;padding:.375rem .5rem;border:2px solid #3d3d3d;border-radius:4px;background:#fff;color:#1a1a1a;max-width:100%}
input[type=file]{font:inherit}
input[aria-invalid=true],select[aria-invalid=true]{border-color:#a00000}
fieldset{border:1px solid #9aa9bb;border-radius:4px;padding:.5rem 1rem 1rem;margin:0 0 1rem}
.choice{display:flex;gap:.5rem;align-items:center;font-weight:400}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.45rem 1rem;border-radius:4px;border:2px solid #0b4f9c;background:#0b4f9c;color:#fff;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#083b75}
button.secondary,.button.secondary{background:#fff;color:#0b4f9c}
button.secondary:hover,.button.secondary:hover{background:#eef4fb}
button.danger{background:#a00000;border-color:#a00000}
button.danger:hover{background:#7a0000}
button.link{background:none;border:0;padding:0;color:#0b4f9c;text-decoration:underline;font-weight:400}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.actions form{margin:0}
.errors{border:3px solid #a00000;padding:.75rem 1rem;margin:0 0 1rem}
.errors h2{margin-top:0}
.errors ul{margin:0;padding-left:1.25rem}
.notice{border-left:6px solid #0b4f9c;padding:.5rem 1rem;margin:0 0 1rem;background:#eef4fb}
.notice.ok{border-color:#1b6e2e;background:#e9f5ec}
.notice.bad{border-color:#a00000;background:#fbeaea}
table.data{border-collapse:collapse;width:100%;margin:0 0 1rem}
table.data caption{text-align:left;font-weight:600;padding:.25rem 0}
table.data th,table.data td{border-bottom:1px solid #c4ccd6;padding:.4rem .6rem;text-align:left;vertical-align:top}
table.data th{background:#f1f4f8}
.num{text-align:right}
.muted{color:#3d3d3d}
.pager{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:0 0 1rem}
.counts a{display:inline-block;padding:.25rem .75rem;border:2px solid #3d3d3d;border-radius:999px;text-decoration:none;color:#1a1a1a}
.counts a[aria-current=true]{background:#1a1a1a;color:#fff}
.online{color:#1b6e2e;font-weight:600}
.offline{color:#a00000;font-weight:600}
.bank{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1.5rem}
.column{display:flex;flex-direction:column;gap:.25rem;min-width:7.5rem;padding:.375rem;border:2px solid #3d3d3d;border-radius:4px;background:#f7f7f7}
.column h3{margin:0 0 .25rem;font-size:.9375rem}
.column ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.25rem}
.locker{position:relative;display:flex}
.locker a{flex:1;display:flex;flex-direction:column;justify-content:center;padding:.25rem .5rem;border:2px solid;border-radius:3px;color:#1a1a1a;text-decoration:none;font-size:.875rem;line-height:1.25}
.locker .n{font-weight:700;font-size:1rem}
.st-available a{background:#e3f4e6;border-color:#1b6e2e}
.st-reserved a{background-color:#e4ecfa;background-image:repeating-linear-gradient(45deg,transparent 0 6px,#cbd9f1 6px 9px);border-color:#0b4f9c}
.st-occupied a{background-color:#fdf0d5;background-image:radial-gradient(#ecd3a0 1.5px,transparent 1.6px);background-size:8px 8px;border-color:#8a5a00}
.st-expired a{background-color:#fbe3e3;background-image:repeating-linear-gradient(45deg,transparent 0 6px,#f0c4c4 6px 8px),repeating-linear-gradient(-45deg,transparent 0 6px,#f0c4c4 6px 8px);border-color:#a00000}
.st-out-of-service a{background-color:#e6e6e6;background-image:repeating-linear-gradient(0deg,transparent 0 6px,#cfcfcf 6px 8px);border-color:#4a4a4a;border-style:dashed}
.locker.faded>span{flex:1;padding:.25rem .5rem;border:1px dashed #6b6b6b;border-radius:3px;color:#3d3d3d;font-size:.875rem}
.tip{display:none;position:absolute;left:calc(100% + .25rem);top:0;z-index:5;width:17rem;padding:.5rem .75rem;background:#1a1a1a;color:#fff;border-radius:4px;font-size:.875rem}
.tip dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.125rem .5rem}
.tip dt{font-weight:600}
.tip dd{margin:0}
.locker:hover .tip,.locker:focus-within .tip{display:block}
.locker.tip-off .tip{display:none}
.legend{display:flex;flex-wrap:wrap;gap:.5rem 1rem;list-style:none;padding:0;margin:0 0 1rem}
.legend li{display:flex;gap:.375rem;align-items:center}
.legend .swatch{display:inline-block;width:1.5rem;height:1.25rem;border:2px solid}
.legend .st-available .swatch{background:#e3f4e6;border-color:#1b6e2e}
.legend .st-reserved .swatch{background-color:#e4ecfa;background-image:repeating-linear-gradient(45deg,transparent 0 6px,#cbd9f1 6px 9px);border-color:#0b4f9c}
.legend .st-occupied .swatch{background-color:#fdf0d5;background-image:radial-gradient(#ecd3a0 1.5px,transparent 1.6px);background-size:8px 8px;border-color:#8a5a00}
.legend .st-expired .swatch{background-color:#fbe3e3;background-image:repeating-linear-gradient(45deg,transparent 0 6px,#f0c4c4 6px 8px);border-color:#a00000}
.legend .st-out-of-service .swatch{background-color:#e6e6e6;border-color:#4a4a4a;border-style:dashed}
.panel{border:2px solid #9aa9bb;border-radius:4px;padding:1rem}
.panel h2{margin-top:0}
.panel dl,dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
.panel dt,dl.facts dt{font-weight:600}
.panel dd,dl.facts dd{margin:0}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1rem;align-items:start}
.field input[type=text],.field input[type=email],.field input[type=search]{width:100%;max-width:28rem}
.outcome{margin:.5rem 0}
.htmx-indicator{display:none}
.htmx-request .htmx-indicator,.htmx-request.htmx-indicator{display:inline}
.idle{position:fixed;left:50%;bottom:1.5rem;transform:translateX(-50%);z-index:20;max-width:34rem;padding:1rem 1.25rem;background:#fff;border:3px solid #c25400;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.3)}
.idle[hidden]{display:none}
.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #9aa9bb}
.timeline li{padding:.25rem 0 .5rem 1rem}
.timeline time{font-weight:600}
.visually-hidden{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
${heights}
/* Reservations: a code shown once, the recipient picker's matches, a reservation's facts and timeline. */
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.5rem;letter-spacing:.15em}
.tag{display:inline-block;padding:0 .375rem;border:2px solid #1a1a1a;border-radius:3px;font-size:.875rem}
ul.plain{list-style:none;margin:0;padding:0}
ul.plain li{margin:.25rem 0}
.matches{margin:.5rem 0 0}
.panel h3{margin-top:0}
.timeline li.ev-bad{border-left:4px solid #a00000;margin-left:-3px}
.timeline li.ev-ok{border-left:4px solid #1b6e2e;margin-left:-3px}
.timeline li.ev-wait{border-left:4px dashed #0b4f9c;margin-left:-3px}
/* Activity and reports: the occupancy chart (a picture of its table's figures). */
.report{margin:0 0 1.5rem}
table.data .num{text-align:right}
.chart{margin:0 0 .75rem}
.chart svg{display:block;width:100%;max-width:48rem;height:8rem;border-left:1px solid #3d3d3d}
.chart .bar{fill:#0b4f9c}
.chart .peak{stroke:#1a1a1a;stroke-width:3}
.chart .axis{stroke:#3d3d3d;stroke-width:1}
/* Address book (contacts/) */
.contact-tag{display:inline-block;padding:0 .375rem;border:1px solid #3d3d3d;border-radius:3px;font-size:.8125rem;font-weight:400}
.contact-import .choice{margin:0 0 .375rem}
.contact-links{margin:0 0 1rem}
.contact-form input[type=tel]{font:inherit;padding:.375rem .5rem;border:2px solid #3d3d3d;border-radius:4px;background:#fff;color:#1a1a1a;max-width:100%}
.contact-form input[type=tel][aria-invalid=true]{border-color:#a00000}
/* Users and roles: an account's state in words, actions behind a disclosure, a role's permissions. */
.tags{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;padding:0;margin:0}
.tags .tag{white-space:nowrap}
.tags .tag.bad{border-color:#a00000;color:#a00000;font-weight:600}
details.confirm{margin:1rem 0 .75rem}
.tags+form{margin-top:1rem}
details.confirm summary{cursor:pointer;color:#0b4f9c;font-weight:600;padding:.25rem 0}
details.confirm form{margin:.5rem 0 0 1rem}
.perms{margin:0;padding-left:1.1rem}
.perms code,.choice code{font-size:.875rem;color:#3d3d3d}
fieldset .choice{margin:.25rem 0}
.setup-list{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem}
.setup-list li{border:1px solid #9aa9bb;border-radius:4px;padding:.75rem 1rem}
.setup-list a{font-weight:600;font-size:1.1rem}
.setup-list p{margin:.25rem 0 0}
/* Organisation (organisation/): the tree of divisions, locations and banks, each level indented with a rule. */
.org-tree,.org-tree ul{list-style:none;margin:.25rem 0;padding-left:1.25rem;border-left:2px solid #9aa9bb}
.org-tree li{margin:.375rem 0}
.org-tree{margin-bottom:1.5rem}
.org-tree a{font-weight:600}
/* Set-up, data and notifications: a template's state, an e-mail shown as text, secrets and keys typed in a fixed font. */
.tag.own{border-color:#0b4f9c;color:#0b4f9c;font-weight:600}
.tag.bad{border-color:#a00000;color:#a00000;font-weight:600}
.mail-preview{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.875rem;background:#f3f5f8;border:1px solid #9aa9bb;border-radius:4px;padding:.75rem;margin:.5rem 0 1rem;max-width:48rem}
textarea{width:100%;max-width:48rem}
textarea.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.875rem}
th .hint{font-weight:400;margin:.125rem 0 0}
.setup-panel{margin:0 0 1rem}
/* Security: an issuer's address and a client secret as wide as other text; a new API key, shown once, whole and easy to select. */
input[type=url]{font:inherit;padding:.375rem .5rem;border:2px solid #3d3d3d;border-radius:4px;background:#fff;color:#1a1a1a;max-width:100%}
.field input[type=url],.field input[type=password]{width:100%;max-width:28rem}
input[type=url][aria-invalid=true]{border-color:#a00000}
.made-key{margin:0 0 1rem}
.made-key textarea.key{display:block;width:100%;max-width:48rem;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;resize:none}
/* Retention: the people an erasure may be about. */
.erase-results{margin:.5rem 0 1rem}
/* Set-up sheets to print (carriers' QR codes, shelf and locker labels): labels in a grid, each kept whole on its page. */
.labels{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}
.label{border:2px dashed #3d3d3d;border-radius:4px;padding:.75rem 1rem;background:#fff;break-inside:avoid;page-break-inside:avoid}
.label p{margin:0 0 .375rem}
.label-title{font-weight:700}
.label-number{font-size:1.25rem;font-weight:700}
.label-big{font-size:3.5rem;font-weight:700;line-height:1.1}
.label img.qr{display:block;width:12rem;height:12rem;margin:.25rem 0 .5rem}
.label img.barcode{display:block;width:100%;max-width:24rem;height:auto;margin:.25rem 0 .5rem}
.label dl.facts{font-size:.9375rem}
.print-only{display:none}
.field input.short{width:8rem}
@media print{
header.top,nav.menu,.skip,.idle,.no-print{display:none!important}
.print-only{display:block}
main{padding:0;max-width:none}
h1{font-size:1.25rem;margin:0 0 .5rem}
.labels{grid-template-columns:repeat(2,1fr);gap:.5cm}
.label{border:1px dashed black}
a{color:black;text-decoration:none}
}
/* Branding (branding/): the logo as it is, each colour as a picker beside its #rrggbb text, the preview picture. */
.brand-logo{display:block;max-width:20rem;max-height:6rem;border:1px solid #9aa9bb;padding:.25rem;background:#fff}
.colour-inputs{display:flex;gap:.5rem;align-items:center}
.colour-inputs input[type=color]{width:3rem;height:2.5rem;padding:0;border:2px solid #3d3d3d;border-radius:4px;background:#fff}
.colour-inputs input[type=text]{font:inherit;padding:.375rem .5rem;border:2px solid #3d3d3d;border-radius:4px;width:7rem}
.colour-inputs input[aria-invalid=true]{border-color:#a00000}
.contrast{margin:0 0 .5rem;font-weight:600}
.contrast.bad{color:#a00000}
.brand-preview{margin:0 0 1rem}
.brand-preview img{display:block;max-width:100%;height:auto}
`.trim();
