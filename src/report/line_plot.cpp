#include "report/line_plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "report/text.hpp"
#include "util/error.hpp"

namespace conceptlens::report {
namespace {

constexpr double kMarginLeft = 56;
constexpr double kMarginTop = 34;
constexpr double kMarginRight = 16;  // between the plot area and the legend
constexpr double kMarginBottom = 46;

std::string n(double value) { return fixed(value, 2); }

std::vector<PlotPoint> sorted_points(const Series& series) {
  std::vector<PlotPoint> points = series.points;
  std::stable_sort(points.begin(), points.end(), [](const PlotPoint& a, const PlotPoint& b) { return a.x < b.x; });
  return points;
}

std::string tick_label(double value) {
  const double rounded = std::round(value);
  return std::abs(value - rounded) < 1e-9 ? fixed(rounded, 0) : fixed(value, 1);
}

std::string line(double x1, double y1, double x2, double y2, const std::string& attributes) {
  return "<line x1=\"" + n(x1) + "\" y1=\"" + n(y1) + "\" x2=\"" + n(x2) + "\" y2=\"" + n(y2) + "\" " + attributes +
         "/>\n";
}

std::string text(double x, double y, const std::string& content, const std::string& attributes) {
  return "<text x=\"" + n(x) + "\" y=\"" + n(y) + "\" " + attributes + ">" + escape_html(content) + "</text>\n";
}

constexpr const char* kDash = "6 4";  // the dashed line of the base model

}  // namespace

double PlotFrame::y(double value) const {
  const double clamped = std::clamp(value, y_min, y_max);
  return bottom - (clamped - y_min) / (y_max - y_min) * (bottom - top);
}

PlotFrame plot_frame(const std::vector<Series>& series, const PlotOptions& options) {
  CONCEPTLENS_CHECK(options.y_max > options.y_min);
  PlotFrame frame;
  frame.left = kMarginLeft;
  frame.top = kMarginTop;
  frame.right = options.width - options.legend_width - kMarginRight;
  frame.bottom = options.height - kMarginBottom;
  CONCEPTLENS_CHECK(frame.right > frame.left && frame.bottom > frame.top);
  double low = 0;
  double high = 0;
  for (const Series& each : series) {
    for (const PlotPoint& point : each.points) {
      low = std::min(low, point.x);
      high = std::max(high, point.x);
    }
  }
  frame.x_min = std::floor(low);
  frame.x_max = std::max(frame.x_min + 1, std::ceil(high));
  frame.y_min = options.y_min;
  frame.y_max = options.y_max;
  return frame;
}

std::vector<double> x_ticks(const PlotFrame& frame) {
  const double span = frame.x_max - frame.x_min;
  double step = 1;
  for (const double candidate : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0}) {
    step = candidate;
    if (span / candidate <= 20) break;
  }
  std::vector<double> ticks;
  for (double tick = std::ceil(frame.x_min / step) * step; tick <= frame.x_max + 1e-9; tick += step) {
    ticks.push_back(tick);
  }
  return ticks;
}

std::string palette_color(std::size_t index) {
  // Okabe & Ito's colour-blind-safe palette (black left for the dashed base-model line).
  static const std::array<const char*, 7> kPalette = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                                      "#e69f00", "#56b4e9", "#f0e442"};
  return kPalette[index % kPalette.size()];
}

std::string line_plot_svg(const std::vector<Series>& series, const PlotOptions& options) {
  const PlotFrame frame = plot_frame(series, options);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 " + n(options.width) +
                    " " + n(options.height) + "\" width=\"" + n(options.width) + "\" height=\"" + n(options.height) +
                    "\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + escape_html(options.title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + n(options.width) + "\" height=\"" + n(options.height) +
         "\" fill=\"#ffffff\"/>\n";

  // grid and y ticks
  svg += "<g class=\"y-axis\" stroke=\"#d0d0d0\" stroke-width=\"1\">\n";
  constexpr int kYSteps = 5;
  for (int i = 0; i <= kYSteps; ++i) {
    const double value = frame.y_min + (frame.y_max - frame.y_min) * i / kYSteps;
    svg += line(frame.left, frame.y(value), frame.right, frame.y(value), "");
  }
  svg += "</g>\n<g class=\"y-ticks\" fill=\"#333333\" text-anchor=\"end\">\n";
  for (int i = 0; i <= kYSteps; ++i) {
    const double value = frame.y_min + (frame.y_max - frame.y_min) * i / kYSteps;
    svg += text(frame.left - 6, frame.y(value) + 4, tick_label(value), "");
  }
  svg += "</g>\n";

  // x ticks
  const std::vector<double> ticks = x_ticks(frame);
  svg += "<g class=\"x-axis\" stroke=\"#333333\" stroke-width=\"1\">\n";
  for (const double tick : ticks) svg += line(frame.x(tick), frame.bottom, frame.x(tick), frame.bottom + 5, "");
  svg += "</g>\n<g class=\"x-ticks\" fill=\"#333333\" text-anchor=\"middle\">\n";
  for (const double tick : ticks) svg += text(frame.x(tick), frame.bottom + 18, tick_label(tick), "");
  svg += "</g>\n";

  // axes, labels, title
  svg += line(frame.left, frame.bottom, frame.right, frame.bottom, "stroke=\"#333333\" stroke-width=\"1\"");
  svg += line(frame.left, frame.top, frame.left, frame.bottom, "stroke=\"#333333\" stroke-width=\"1\"");
  svg += text((frame.left + frame.right) / 2, options.height - 8, options.x_label,
              "class=\"x-label\" text-anchor=\"middle\" fill=\"#000000\"");
  const double y_label_x = 16;
  const double y_label_y = (frame.top + frame.bottom) / 2;
  svg += text(y_label_x, y_label_y, options.y_label,
              "class=\"y-label\" text-anchor=\"middle\" fill=\"#000000\" transform=\"rotate(-90 " + n(y_label_x) + " " +
                  n(y_label_y) + ")\"");
  svg += text(frame.left, 20, options.title, "class=\"plot-title\" font-size=\"14\" font-weight=\"bold\" fill=\"#000000\"");

  bool any_point = false;
  for (const Series& each : series) any_point = any_point || !each.points.empty();
  if (!any_point) {
    svg += text((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2, "no data",
                "class=\"no-data\" text-anchor=\"middle\" fill=\"#888888\"");
  }

  // the series, then the legend
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& each = series[i];
    if (each.points.empty()) continue;
    const std::string color = each.color.empty() ? palette_color(i) : each.color;
    svg += "<g class=\"series\" data-series=\"" + escape_html(each.name) + "\">\n";
    std::string points;
    for (const PlotPoint& point : sorted_points(each)) {
      if (!points.empty()) points += ' ';
      points += n(frame.x(point.x));
      points += ',';
      points += n(frame.y(point.y));
    }
    svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" +
           (each.dashed ? std::string(" stroke-dasharray=\"") + kDash + "\"" : std::string()) + " points=\"" + points +
           "\"/>\n";
    for (const PlotPoint& point : sorted_points(each)) {
      svg += "<circle cx=\"" + n(frame.x(point.x)) + "\" cy=\"" + n(frame.y(point.y)) + "\" r=\"3\" fill=\"" +
             (each.dashed ? std::string("#ffffff") : color) + "\" stroke=\"" + color + "\" stroke-width=\"1.5\"/>\n";
    }
    svg += "</g>\n";
  }
  svg += "<g class=\"legend\">\n";
  const double legend_x = frame.right + kMarginRight;
  double legend_y = frame.top + 6;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& each = series[i];
    const std::string color = each.color.empty() ? palette_color(i) : each.color;
    svg += line(legend_x, legend_y, legend_x + 24, legend_y,
                "stroke=\"" + color + "\" stroke-width=\"2\"" +
                    (each.dashed ? std::string(" stroke-dasharray=\"") + kDash + "\"" : std::string()));
    svg += text(legend_x + 30, legend_y + 4, each.name, "fill=\"#000000\"");
    legend_y += 18;
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

}  // namespace conceptlens::report
