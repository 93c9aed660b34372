#pragma once
// An SVG line plot of per-layer curves, like the figures of Durrani et al. 2022: x = layer,
// y = % of concepts aligned. Self-contained SVG (presentation attributes, no CSS or script
// needed), deterministic text (fixed two-decimal coordinates).
#include <string>
#include <vector>

namespace conceptlens::report {

struct PlotPoint {
  double x = 0;
  double y = 0;
};

struct Series {
  std::string name;               ///< the legend's text
  std::vector<PlotPoint> points;  ///< any order: drawn sorted by x
  bool dashed = false;            ///< e.g. the alignment with the base model
  std::string color;              ///< "#rrggbb"; "" = the palette's colour for the series' index
};

struct PlotOptions {
  std::string title;
  std::string x_label = "layer";
  std::string y_label = "% of concepts aligned";
  double y_min = 0;
  double y_max = 100;
  double width = 640;   ///< SVG user units (also the default size in pixels)
  double height = 360;
  double legend_width = 190;  ///< the legend sits right of the plot area
};

/// Where data lands in the SVG. The x domain always starts at 0 or below (layers are counted
/// from the embeddings) and is at least 1 wide; the y domain is [y_min, y_max].
struct PlotFrame {
  double left = 0, top = 0, right = 0, bottom = 0;  ///< the plot area, SVG units
  double x_min = 0, x_max = 1, y_min = 0, y_max = 100;
  double x(double value) const { return left + (value - x_min) / (x_max - x_min) * (right - left); }
  /// Values outside [y_min, y_max] are clamped to the frame.
  double y(double value) const;
};

PlotFrame plot_frame(const std::vector<Series>& series, const PlotOptions& options);

/// The x ticks of a frame: every integer when at most 20 fit, else a round step.
std::vector<double> x_ticks(const PlotFrame& frame);

/// The colour of the i-th series when it names none (a colour-blind-safe palette, cycling).
std::string palette_color(std::size_t index);

/// The `<svg>` element: frame, grid, ticks, axis labels, title, one `<polyline>` (with
/// `stroke-dasharray` when dashed) and point markers per series, and a legend. With no points
/// at all it says "no data" instead of drawing lines.
std::string line_plot_svg(const std::vector<Series>& series, const PlotOptions& options);

}  // namespace conceptlens::report
