/* The charts of the ledger's summary page (ledger/templates/ledger/summary.html), drawn with the vendored
 * ECharts. Each chart is a <div class="ledger-chart" data-spec="ID"> whose spec the page embeds as
 * <script type="application/json" id="ID"> (json_script; the content security policy allows no inline
 * script):
 *
 *   spec = {unit, categories: [..], series: [{name, type: "bar"|"line", values: [..], labels: [..]}]}
 *
 * The server formats figures the Chinese way and sends them as `labels` where they are not plain counts;
 * a missing value (null) is "no data", drawn as a gap and shown as "—", never as 0.
 */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#198754", "#6ea8fe", "#75b798", "#fd7e14", "#6f42c1", "#d63384", "#20c997",
    "#ffc107", "#6c757d", "#dc3545", "#0dcaf0"];
  var charts = [];

  function readSpec(el) {
    var node = document.getElementById(el.getAttribute("data-spec"));
    return node ? JSON.parse(node.textContent) : null;
  }

  function text(series, index) {
    var labels = series.labels || [];
    if (labels[index] !== undefined && labels[index] !== null) return labels[index];
    var value = series.values[index];
    return value === null || value === undefined ? "—" : String(value);
  }

  function option(spec) {
    return {
      animation: false,
      color: PALETTE,
      textStyle: {fontFamily: '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'},
      legend: spec.series.length > 1 ? {top: 0, type: "scroll"} : undefined,
      grid: {left: 8, right: 16, top: spec.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true},
      // richText tooltips are drawn on the canvas: no HTML with style attributes, which the policy refuses.
      tooltip: {trigger: "axis", renderMode: "richText", confine: true, formatter: function (params) {
        var items = Array.isArray(params) ? params : [params];
        if (!items.length) return "";
        return [items[0].name].concat(items.map(function (p) {
          return p.seriesName + "：" + text(spec.series[p.seriesIndex], p.dataIndex);
        })).join("\n");
      }},
      xAxis: {type: "category", data: spec.categories, axisLabel: {interval: 0, hideOverlap: true,
        rotate: spec.categories.length > 8 ? 30 : 0}},
      yAxis: {type: "value", name: spec.unit || "", minInterval: spec.unit === "%" ? 0 : 1,
        max: spec.unit === "%" ? 100 : null, axisLabel: {formatter: spec.unit === "%" ? "{value}%" : "{value}"}},
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: series.type === "line" ? "line" : "bar",
          data: series.values,
          connectNulls: false,
          barMaxWidth: 36,
          label: {show: series.type !== "line" && spec.categories.length <= 12, position: "top",
            // A zero count says nothing a bar of no height does not; a 0.00% share is shown.
            formatter: function (p) { return spec.unit !== "%" && p.value === 0 ? "" : text(series, p.dataIndex); }}
        };
      })
    };
  }

  function init() {
    document.querySelectorAll(".ledger-chart[data-spec]").forEach(function (el) {
      var spec = readSpec(el);
      if (!spec || typeof echarts === "undefined") return;
      var chart = echarts.init(el, null, {renderer: "canvas", locale: "ZH"});
      chart.setOption(option(spec));
      el.setAttribute("data-rendered", "1");
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", init);
})();
