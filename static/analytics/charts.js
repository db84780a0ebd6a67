/* Charts and the Yunnan map of the analytics pages, drawn with the vendored ECharts.
 *
 * Each chart is a <div class="analytics-chart" data-spec="ID"> whose spec the page embeds as
 * <script type="application/json" id="ID"> (Django's json_script; the content security policy allows
 * no inline script). The server formats every number the Chinese way (730.75万, 13.71%) and sends the
 * text next to the value, so this file never formats a figure itself.
 *
 * spec = {kind: "bar"|"line"|"stacked"|"ranking"|"map", title, unit, as_of,
 *         categories: [..], series: [{name, values: [..], labels: [..], notes: [..], marks: [..], urls: [..]}],
 *         map: {url, codes: [..]}}  // map: GB/T 2260 codes, parallel to categories
 * A bar, point or region with a url opens it when clicked (drill-down).
 * Buttons <button data-chart-png="CHART-ELEMENT-ID" data-filename="…"> save the chart as PNG.
 */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#6c757d"];
  var charts = {};
  var registeredMaps = {};

  function readSpec(el) {
    var node = document.getElementById(el.getAttribute("data-spec"));
    return node ? JSON.parse(node.textContent) : null;
  }

  function labelOf(series, index) {
    var labels = series.labels || [];
    return labels[index] === undefined || labels[index] === null ? "—" : labels[index];
  }

  // What the tooltip adds after a figure (its coverage, 已验收 x/y 家), in brackets; nothing when empty.
  function noteOf(series, index) {
    var note = (series.notes || [])[index];
    return note ? "（" + note + "）" : "";
  }

  function tooltipText(spec, params) {
    var items = Array.isArray(params) ? params : [params];
    if (!items.length) return "";
    var lines = [items[0].name];
    items.forEach(function (p) {
      var series = spec.series[p.seriesIndex] || spec.series[0];
      var index = spec.kind === "map" ? spec.categories.indexOf(p.name) : p.dataIndex;
      if (index < 0) {
        lines.push(series.name + "：" + "—");
        return;
      }
      lines.push(series.name + "：" + labelOf(series, index) + noteOf(series, index));
    });
    return lines.join("\n");
  }

  function baseOption(spec) {
    return {
      animation: false,
      color: PALETTE,
      textStyle: {fontFamily: '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'},
      // richText tooltips are drawn on the canvas: no HTML with style attributes, which the policy refuses.
      tooltip: {trigger: spec.kind === "map" ? "item" : "axis", renderMode: "richText", confine: true,
        formatter: function (params) { return tooltipText(spec, params); }},
      grid: {left: 8, right: 24, top: spec.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true}
    };
  }

  function seriesData(series) {
    return series.values.map(function (value, i) {
      var url = series.urls && series.urls[i];
      return {value: value, url: url || null, cursor: url ? "pointer" : "default"};
    });
  }

  function cartesianOption(spec) {
    var option = baseOption(spec);
    var horizontal = spec.kind === "ranking";
    var categories = spec.categories.slice();
    var seriesList = spec.series.map(function (series) {
      return {
        name: series.name,
        type: spec.kind === "line" ? "line" : "bar",
        stack: spec.kind === "stacked" ? "total" : undefined,
        data: seriesData(series),
        barMaxWidth: 36,
        // Points whose coverage differs markedly from the point before (series.marks: their text) get a pin.
        markPoint: series.marks && series.marks.some(Boolean) ? {symbol: "pin", symbolSize: 34,
          label: {formatter: "!"}, itemStyle: {color: "#fd7e14"},
          data: series.marks.map(function (mark, i) {
            return mark ? {coord: [i, series.values[i]], value: mark} : null;
          }).filter(Boolean)} : undefined,
        label: {
          show: spec.kind === "ranking" || (spec.series.length === 1 && categories.length <= (spec.kind === "line" ? 8 : 20)),
          position: horizontal ? "right" : "top",
          formatter: function (p) { return labelOf(series, p.dataIndex); }
        }
      };
    });
    if (horizontal) {
      // The first category at the top, as a ranking reads.
      categories.reverse();
      seriesList.forEach(function (s) { s.data.reverse(); });
      var original = spec.series;
      seriesList.forEach(function (s, k) {
        var n = original[k].values.length;
        s.label.formatter = function (p) { return labelOf(original[k], n - 1 - p.dataIndex); };
      });
      option.tooltip.formatter = function (params) {
        var items = Array.isArray(params) ? params : [params];
        return items.length ? [items[0].name].concat(items.map(function (p) {
          var s = original[p.seriesIndex];
          var index = s.values.length - 1 - p.dataIndex;
          return s.name + "：" + labelOf(s, index) + noteOf(s, index);
        })).join("\n") : "";
      };
    }
    var categoryAxis = {type: "category", data: categories, axisLabel: {interval: 0, hideOverlap: true,
      width: horizontal ? 140 : 80, overflow: "truncate", rotate: !horizontal && categories.length > 6 ? 30 : 0}};
    // The value axis starts at zero: a trend of 81.29% → 81.33% must not look like a cliff.
    var valueAxis = {type: "value", name: spec.unit || "", axisLabel: {formatter: spec.axis_format === "wan" ?
      function (v) { return Math.abs(v) >= 10000 ? (v / 10000) + "万" : v.toLocaleString("zh-CN"); } :
      (spec.unit === "%" ? "{value}%" : function (v) { return v.toLocaleString("zh-CN"); })}};
    option.xAxis = horizontal ? valueAxis : categoryAxis;
    option.yAxis = horizontal ? categoryAxis : valueAxis;
    if (spec.series.length > 1) option.legend = {top: 0, type: "scroll"};
    option.series = seriesList;
    return option;
  }

  function mapOption(spec, mapName) {
    var option = baseOption(spec);
    var series = spec.series[0];
    var values = series.values.filter(function (v) { return v !== null && v !== undefined; });
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (min === max) max = min + 1;
    option.visualMap = {min: min, max: max, left: 8, bottom: 8, calculable: true, text: [spec.max_text || "高", spec.min_text || "低"],
      inRange: {color: ["#e8f1ff", "#6ea8fe", "#0a3d8f"]}, formatter: function (v) {
        return spec.unit === "%" ? v.toFixed(spec.decimals === undefined ? 2 : spec.decimals) + "%" :
          (Math.abs(v) >= 10000 ? (v / 10000).toFixed(2) + "万" : Math.round(v).toLocaleString("zh-CN"));
      }};
    option.series = [{
      name: series.name, type: "map", map: mapName, nameProperty: "code", roam: false,
      layoutCenter: ["50%", "50%"], layoutSize: "100%",
      label: {show: true, fontSize: 11, color: "#212529", textBorderColor: "#ffffff", textBorderWidth: 2, formatter: function (p) { return spec.short_names[spec.categories.indexOf(p.name)] || ""; }},
      emphasis: {label: {show: true}, itemStyle: {areaColor: "#ffc107"}},
      itemStyle: {borderColor: "#ffffff", borderWidth: 1, areaColor: "#eeeeee"},
      data: spec.categories.map(function (code, i) {
        var url = series.urls && series.urls[i];
        return {name: code, value: series.values[i], url: url || null};
      })
    }];
    return option;
  }

  function onClick(chart) {
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) window.location.assign(url);
    });
  }

  function draw(el) {
    var spec = readSpec(el);
    if (!spec) return;
    var chart = echarts.init(el, null, {renderer: "canvas", locale: "ZH"});
    charts[el.id] = chart;
    onClick(chart);
    if (spec.kind === "map") {
      var mapName = "yunnan";
      var render = function () {
        chart.setOption(mapOption(spec, mapName));
        el.setAttribute("data-rendered", "1");
      };
      if (registeredMaps[mapName]) {
        render();
        return;
      }
      fetch(spec.map.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (geo) {
        // Features are matched by GB/T 2260 code (the feature id), never by name.
        geo.features.forEach(function (f) { f.properties = f.properties || {}; f.properties.code = String(f.id); });
        echarts.registerMap(mapName, geo);
        registeredMaps[mapName] = true;
        render();
      });
      return;
    }
    chart.setOption(cartesianOption(spec));
    el.setAttribute("data-rendered", "1");
  }

  function savePng(button) {
    var chart = charts[button.getAttribute("data-chart-png")];
    if (!chart) return;
    var url = chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#ffffff"});
    var link = document.createElement("a");
    link.href = url;
    link.download = (button.getAttribute("data-filename") || "chart") + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function init(root) {
    (root || document).querySelectorAll(".analytics-chart[data-spec]").forEach(function (el) {
      if (!charts[el.id]) draw(el);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chart-png]");
    if (button) {
      event.preventDefault();
      savePng(button);
    }
  });
  // A select that submits its form when changed (the chart-type and indicator pickers).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
