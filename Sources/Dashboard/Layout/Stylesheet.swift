/// The dashboard's one stylesheet: a light and a dark theme from the same custom properties, a layout that
/// reflows from a phone to a wide screen, and contrast above WCAG AA for text.
enum Stylesheet {
    static let css = #"""
:root{--bg:#f7f7f5;--panel:#fff;--text:#1b1d21;--muted:#5a6070;--line:#d9dce2;--accent:#2851c7;--accent-text:#fff;
--good:#17663a;--good-bg:#e3f4e9;--bad:#a4161a;--bad-bg:#fbe6e6;--warn:#7a4b00;--warn-bg:#fff1d6;--chip:#eceef3;
--s1:#2851c7;--s2:#c2410c;--s3:#15803d;--s4:#7e22ce;--s5:#0e7490;--s6:#b91c1c;--s7:#4d7c0f;--s8:#a21caf;
color-scheme:light}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#111318;--panel:#1a1d24;--text:#e6e8ee;--muted:#a3a9b8;
--line:#343945;--accent:#8fb0ff;--accent-text:#0b1020;--good:#7ee2a0;--good-bg:#143222;--bad:#ff9b9b;--bad-bg:#3a1719;
--warn:#ffd27a;--warn-bg:#3a2c10;--chip:#272b35;--s1:#8fb0ff;--s2:#fdba74;--s3:#86efac;--s4:#d8b4fe;--s5:#67e8f9;
--s6:#fca5a5;--s7:#bef264;--s8:#f0abfc;color-scheme:dark}}
:root[data-theme=dark]{--bg:#111318;--panel:#1a1d24;--text:#e6e8ee;--muted:#a3a9b8;--line:#343945;--accent:#8fb0ff;
--accent-text:#0b1020;--good:#7ee2a0;--good-bg:#143222;--bad:#ff9b9b;--bad-bg:#3a1719;--warn:#ffd27a;--warn-bg:#3a2c10;
--chip:#272b35;--s1:#8fb0ff;--s2:#fdba74;--s3:#86efac;--s4:#d8b4fe;--s5:#67e8f9;--s6:#fca5a5;--s7:#bef264;--s8:#f0abfc;
color-scheme:dark}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--panel);padding:6px;z-index:9}
.top{display:flex;gap:16px;align-items:center;padding:10px clamp(12px,3vw,32px);border-bottom:1px solid var(--line);background:var(--panel)}
.brand{font-weight:700;text-decoration:none;color:var(--text);font-size:17px}
.top nav{display:flex;gap:14px;flex:1}.top nav a{text-decoration:none}
.theme{background:none;border:1px solid var(--line);border-radius:6px;color:var(--text);padding:2px 9px;font-size:16px;cursor:pointer}
main{padding:16px clamp(12px,3vw,32px) 40px;max-width:1400px;margin:0 auto}
.foot{color:var(--muted);font-size:13px;text-align:center;padding:12px}
h1{font-size:24px;margin:6px 0 12px}h2{font-size:18px;margin:22px 0 8px}h3{font-size:15px;margin:14px 0 6px}
.crumbs ol{list-style:none;display:flex;flex-wrap:wrap;gap:6px;padding:0;margin:0;color:var(--muted);font-size:14px}
.crumbs li+li::before{content:"›";margin-right:6px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.panel>h2:first-child,.panel>section>h2:first-child{margin-top:0}figure{margin:0}figcaption h3{margin:0}
h1 .mono{font-size:inherit}.grid.charts{grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr))}
.muted{color:var(--muted)}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;overflow-wrap:anywhere}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:12px 0}
.grid{display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(min(100%,300px),1fr))}
.grid>*{min-width:0}
.cards{display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(min(100%,260px),1fr));padding:0;list-style:none}
.card{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0;overflow-wrap:anywhere}
.excerpt{margin:2px 0 6px;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.card h2{margin:0 0 4px;font-size:17px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:10px;background:var(--panel)}
table{border-collapse:collapse;width:100%}th,td{padding:7px 10px;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600;white-space:nowrap}tbody tr:last-child>*{border-bottom:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;font-weight:600;background:var(--chip);color:var(--text);margin:1px 2px;white-space:nowrap;max-width:100%;overflow:hidden;text-overflow:ellipsis;vertical-align:middle}
.badge.best{background:var(--warn-bg);color:var(--warn)}.badge.env{background:var(--accent);color:var(--accent-text)}
.badge.ready{background:var(--good-bg);color:var(--good)}.badge.archived,.badge.deprecated{background:var(--chip);color:var(--muted)}
.badge.failed{background:var(--bad-bg);color:var(--bad)}
.better{color:var(--good);background:var(--good-bg)}.worse{color:var(--bad);background:var(--bad-bg)}
.added{background:var(--good-bg)}.removed{background:var(--bad-bg);text-decoration:line-through}.changed{background:var(--warn-bg)}
.notice{background:var(--good-bg);color:var(--good);border-radius:8px;padding:8px 12px}
.error-panel{border-color:var(--bad)}.error-message,.form-error{color:var(--bad);background:var(--bad-bg);border-radius:8px;padding:8px 12px}
form.inline{display:inline}.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:8px 0}
label{display:block;font-size:13px;color:var(--muted);margin-bottom:2px}
input,select,textarea{font:inherit;color:var(--text);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:5px 8px;max-width:100%}
textarea{width:100%;min-height:70px}.field{margin:8px 0}
button,.button{font:inherit;display:inline-block;background:var(--accent);color:var(--accent-text);border:0;border-radius:6px;padding:6px 12px;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:var(--chip);color:var(--text)}button.danger{background:var(--bad);color:var(--panel)}
button:disabled{opacity:.55;cursor:not-allowed}
.pager{display:flex;gap:10px;align-items:center;margin:10px 0}
.chart{width:100%;height:auto;max-width:760px;display:block}.chart text{fill:var(--muted);font-size:12px}
.chart .axis{stroke:var(--line)}.chart .gridline{stroke:var(--line);stroke-dasharray:2 3}
.chart polyline{fill:none;stroke-width:1.6}.chart .pt{fill:transparent;stroke:none}.chart .pt:hover{fill:currentColor}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:13px;margin:4px 0;padding:0;list-style:none}.legend i{display:inline-block;width:12px;height:3px;vertical-align:middle;margin-right:4px}
.c1{color:var(--s1);stroke:var(--s1);background:var(--s1)}.c2{color:var(--s2);stroke:var(--s2);background:var(--s2)}.c3{color:var(--s3);stroke:var(--s3);background:var(--s3)}.c4{color:var(--s4);stroke:var(--s4);background:var(--s4)}
.c5{color:var(--s5);stroke:var(--s5);background:var(--s5)}.c6{color:var(--s6);stroke:var(--s6);background:var(--s6)}.c7{color:var(--s7);stroke:var(--s7);background:var(--s7)}.c8{color:var(--s8);stroke:var(--s8);background:var(--s8)}
.lineage .node rect{fill:var(--panel);stroke:var(--line)}.lineage .node.self rect{stroke:var(--accent);stroke-width:2}
.lineage .node text{fill:var(--text);font-size:12px}.lineage .node.dataset rect{fill:var(--chip)}.lineage path{fill:none;stroke:var(--muted)}
.lineage a:hover rect,.lineage a:focus rect{stroke:var(--accent)}
.split{display:flex;height:22px;border-radius:6px;overflow:hidden;border:1px solid var(--line);margin:6px 0}
.split span{display:flex;align-items:center;justify-content:center;font-size:12px;color:var(--accent-text);white-space:nowrap;overflow:hidden}
.empty{text-align:center;padding:28px 12px}.empty pre{text-align:left;display:inline-block;background:var(--bg);padding:10px;border-radius:8px;max-width:100%;overflow-x:auto}
progress{width:100%}
.grid.drift-charts{grid-template-columns:repeat(auto-fill,minmax(min(100%,240px),1fr))}.drift-chart h3{font-size:14px;margin:0}
.bars{width:100%;height:auto;max-height:160px;display:block}.bars .ref{fill:var(--muted);opacity:.55}.bars .cur{fill:var(--accent)}
.bars .hover{fill:transparent}.bars .hover:hover{fill:var(--chip);opacity:.35}.bars .tick{fill:var(--muted);font-size:10px}
tr.drifted>th{color:var(--bad)}
@media (max-width:640px){.top{flex-wrap:wrap}.top nav{order:3;flex-basis:100%}th,td{padding:6px}.hide-narrow{display:none}}
"""#
}
