/// The dashboard's progressive enhancement; every page works without it. It switches the theme, refreshes pages
/// that show registry state when the server reports a change, counts compare selections, and uploads files with
/// progress on the register page.
enum Script {
    static let js = #"""
(function(){
"use strict";
var root=document.documentElement;
document.querySelectorAll("[data-theme-toggle]").forEach(function(b){b.addEventListener("click",function(){
  var dark=root.dataset.theme?root.dataset.theme==="dark":matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme=dark?"light":"dark";try{localStorage.setItem("modelyard-theme",root.dataset.theme)}catch(e){}
});});
function csrf(){var m=document.querySelector('meta[name="csrf-token"]');return m?m.content:""}
function compareCount(){var form=document.getElementById("compare-form");if(!form)return;
  var n=form.querySelectorAll('input[name="v"]:checked').length,b=form.querySelector("[data-compare-button]");
  if(b){b.disabled=n<2;b.textContent=n<2?"Select 2 or more to compare":"Compare "+n+" versions"}}
document.addEventListener("change",function(e){if(e.target&&e.target.name==="v")compareCount()});
compareCount();
var main=document.getElementById("main"),state=document.querySelector(".live-state");
if(main&&main.dataset.live!==undefined&&window.EventSource){
  var pending=false,busy=false;
  var refresh=function(){
    var a=document.activeElement;
    if(busy||(a&&a.closest&&a.closest("form")&&main.contains(a))){pending=true;return}
    busy=true;pending=false;
    fetch(location.href,{headers:{"Accept":"text/html"},credentials:"same-origin"}).then(function(r){return r.ok?r.text():null}).then(function(t){
      busy=false;if(!t)return;var doc=new DOMParser().parseFromString(t,"text/html"),next=doc.getElementById("main");
      if(next){main.innerHTML=next.innerHTML;compareCount();if(state)state.textContent=" · updated "+new Date().toLocaleTimeString()}
      if(pending)refresh();
    }).catch(function(){busy=false});
  };
  document.addEventListener("focusout",function(){if(pending)setTimeout(refresh,50)});
  var source=new EventSource("/events?model="+encodeURIComponent(main.dataset.live));
  source.addEventListener("change",refresh);
  source.addEventListener("open",function(){if(state)state.textContent=" · live"});
}
var upload=document.getElementById("register-version");
if(upload){upload.addEventListener("submit",function(e){
  var files=upload.querySelector('input[type="file"]').files;
  if(!files||!files.length)return;
  e.preventDefault();
  var out=document.getElementById("upload-progress"),err=document.getElementById("upload-error");
  err.textContent="";err.hidden=true;
  var body=new URLSearchParams(new FormData(upload));body.delete("files");body.set("uploading","true");
  var fail=function(m){err.textContent=m;err.hidden=false;upload.querySelector("button[type=submit]").disabled=false};
  upload.querySelector("button[type=submit]").disabled=true;
  fetch(upload.action,{method:"POST",body:body,headers:{"Accept":"application/json"},credentials:"same-origin"})
  .then(function(r){return r.json().then(function(j){if(!r.ok)throw new Error(j.error?j.error.message:"registration failed");return j})})
  .then(function(created){
    var i=0;
    var next=function(){
      if(i>=files.length){
        var fin=new URLSearchParams();fin.set("csrf",csrf());
        return fetch(created.finish,{method:"POST",body:fin,headers:{"Accept":"application/json"},credentials:"same-origin"})
        .then(function(r){return r.json().then(function(j){if(!r.ok)throw new Error(j.error?j.error.message:"could not finish");location.href=created.page})});
      }
      var f=files[i],row=document.createElement("li"),bar=document.createElement("progress");
      row.textContent=f.name+" ";bar.max=f.size||1;bar.value=0;row.appendChild(bar);out.appendChild(row);
      return new Promise(function(resolve,reject){
        var x=new XMLHttpRequest();x.open("PUT",created.artifacts+f.name.split("/").map(encodeURIComponent).join("/"));
        x.setRequestHeader("X-Modelyard-Actor",body.get("actor")||"dashboard");
        x.upload.onprogress=function(ev){if(ev.lengthComputable)bar.value=ev.loaded;bar.max=ev.total||bar.max};
        x.onload=function(){if(x.status<300){bar.value=bar.max;i++;resolve(next())}else{var m="upload of "+f.name+" failed";try{m+=": "+JSON.parse(x.responseText).error.message}catch(_){}reject(new Error(m))}};
        x.onerror=function(){reject(new Error("upload of "+f.name+" failed: connection lost"))};
        x.send(f);
      });
    };
    return next();
  }).catch(function(e){fail(e.message)});
});}
})();
"""#
}

/// The static files the pages link, served by the HTTP layer with long cache lifetimes.
public enum Assets {
    /// Paths carry a content tag so a new release never meets a stale cached copy.
    public static let stylesheetPath = "/static/modelyard-\(tag(Stylesheet.css)).css"
    public static let scriptPath = "/static/modelyard-\(tag(Script.js)).js"
    public static var stylesheet: String { Stylesheet.css }
    public static var script: String { Script.js }

    /// FNV-1a of the text, as 8 hex digits.
    static func tag(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
