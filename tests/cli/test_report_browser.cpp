// `conceptlens report RESULTS_DIR` end to end: the subcommand at 1 and 2 ranks (rank 0 writes,
// the same bytes), bad input failing once, and the page opened in headless Chromium (Debian's
// `chromium`): the DOM it builds holds every plot's SVG with non-empty line data, and its
// screenshot is not blank and shows the plots' line colours.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "report_sample.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using conceptlens::testing::Cli;
using conceptlens::testing::count;
using conceptlens::testing::read_file;
using conceptlens::testing::run;
using conceptlens::testing::write_sample_results;

namespace {

/// Output (stdout and stderr) and exit status of a shell command.
conceptlens::testing::Result shell(const std::string& command) {
  conceptlens::testing::Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, got);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quoted(const fs::path& path) {
  std::string text(1, '\'');
  text += path.string();
  text += '\'';
  return text;
}

/// Where `chromium` is, or "" when it is not installed.
std::string chromium() {
  const auto found = shell("command -v chromium 2>/dev/null");
  std::string path = found.output;
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  return found.code == 0 ? path : "";
}

/// Headless Chromium with its own profile (root needs --no-sandbox), killed after 120 s.
std::string chromium_command(const std::string& exe, const fs::path& profile, const std::string& what,
                             const fs::path& page) {
  return "timeout 120 " + exe +
         " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --no-default-browser-check"
         " --hide-scrollbars --force-device-scale-factor=1 --window-size=1200,2000 --user-data-dir=" +
         quoted(profile) + " " + what + " 'file://" + page.string() + "'";
}

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint32_t> pixels;  ///< 0xRRGGBB
};

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  return (std::uint32_t(std::uint8_t(bytes[at])) << 24) | (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) | std::uint32_t(std::uint8_t(bytes[at + 3]));
}

int paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a);
  const int pb = std::abs(p - b);
  const int pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
}

/// A minimal PNG decoder for what Chromium writes: 8-bit RGB or RGBA, not interlaced.
Image decode_png(const std::string& png) {
  Image image;
  const std::string signature("\x89PNG\r\n\x1a\n", 8);
  if (png.size() < 8 || png.compare(0, 8, signature) != 0) {
    ADD_FAILURE() << "not a PNG file";
    return image;
  }
  std::string compressed;
  int channels = 0;
  for (std::size_t at = 8; at + 8 <= png.size();) {
    const std::uint32_t length = big_endian(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (at + 12 + length > png.size()) break;
    const std::string data = png.substr(at + 8, length);
    if (type == "IHDR") {
      image.width = big_endian(data, 0);
      image.height = big_endian(data, 4);
      const int depth = std::uint8_t(data[8]);
      const int color = std::uint8_t(data[9]);
      const int interlace = std::uint8_t(data[12]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0) {
        ADD_FAILURE() << "unexpected PNG format: depth " << depth << ", colour type " << color << ", interlace "
                      << interlace;
        return {};
      }
      channels = color == 6 ? 4 : 3;
    } else if (type == "IDAT") {
      compressed += data;
    } else if (type == "IEND") {
      break;
    }
    at += 12 + length;
  }
  const std::size_t stride = std::size_t(image.width) * channels;
  std::vector<unsigned char> raw((stride + 1) * image.height);
  uLongf raw_size = raw.size();
  if (channels == 0 || uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                                  compressed.size()) != Z_OK || raw_size != raw.size()) {
    ADD_FAILURE() << "cannot inflate the PNG's image data";
    return {};
  }
  std::vector<unsigned char> previous(stride, 0);
  std::vector<unsigned char> row(stride);
  image.pixels.reserve(std::size_t(image.width) * image.height);
  for (std::uint32_t y = 0; y < image.height; ++y) {
    const unsigned char* line = raw.data() + y * (stride + 1);
    const int filter = line[0];
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= std::size_t(channels) ? row[i - channels] : 0;
      const int b = previous[i];
      const int c = i >= std::size_t(channels) ? previous[i - channels] : 0;
      int predicted = 0;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = a; break;
        case 2: predicted = b; break;
        case 3: predicted = (a + b) / 2; break;
        case 4: predicted = paeth(a, b, c); break;
        default: ADD_FAILURE() << "PNG filter " << filter << " in row " << y; return {};
      }
      row[i] = static_cast<unsigned char>(line[i + 1] + predicted);
    }
    for (std::size_t x = 0; x < image.width; ++x) {
      const unsigned char* p = row.data() + x * channels;
      image.pixels.push_back((std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2]);
    }
    previous = row;
  }
  return image;
}

/// Pixels within `tolerance` (per channel) of colour 0xRRGGBB.
std::size_t pixels_near(const Image& image, std::uint32_t color, int tolerance) {
  std::size_t n = 0;
  for (const std::uint32_t pixel : image.pixels) {
    bool near = true;
    for (const int shift : {16, 8, 0}) {
      near = near && std::abs(int((pixel >> shift) & 0xff) - int((color >> shift) & 0xff)) <= tolerance;
    }
    n += near ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_F(Cli, ReportWritesTheSameFilesAtOneAndTwoRanks) {
  const fs::path results = dir_ / "results";
  write_sample_results(results);
  std::string html;
  std::string csv;
  for (int ranks : {1, 2}) {
    SCOPED_TRACE(std::to_string(ranks) + " rank(s)");
    fs::remove(results / "report.html");
    fs::remove(results / "summary.csv");
    const auto result = run(ranks, "report " + results.string());
    ASSERT_EQ(result.code, 0) << result.output;
    if (ranks == 1) {
      html = read_file(results / "report.html");
      csv = read_file(results / "summary.csv");
      EXPECT_EQ(count(html, "<svg"), 4u);
      EXPECT_EQ(csv.rfind("model,corpus,layer,k,set,kind,aligned,fraction,coverage\n", 0), 0u);
    } else {
      EXPECT_EQ(read_file(results / "report.html"), html);
      EXPECT_EQ(read_file(results / "summary.csv"), csv);
    }
    for (const auto& entry : fs::directory_iterator(results)) {
      EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
  }
}

TEST_F(Cli, ReportFailsOnceOnBadInput) {
  const fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  expect_failure("report " + empty.string(), 2, {(empty / "summary.json").string(), "file not found"});

  const fs::path results = dir_ / "results";
  write_sample_results(results);
  const fs::path align = results / "tiny-bert/ewt/align/layer-1-k4-POS.json";
  fs::remove(align);
  expect_failure("report " + results.string(), 2, {align.string(), "file not found"});

  const auto missing = run(1, "report " + (dir_ / "nowhere").string());
  EXPECT_EQ(missing.code, 1) << missing.output;  // a usage error from the command line
  EXPECT_NE(missing.output.find("nowhere"), std::string::npos) << missing.output;
}

TEST_F(Cli, ReportRendersItsPlotsInHeadlessChromium) {
  const std::string exe = chromium();
  ASSERT_FALSE(exe.empty()) << "chromium is not installed: this test opens the report in headless Chromium. "
                               "Install Debian's package (apt-get install -y chromium), as "
                               "cmake/install-debian-deps.sh does.";
  const fs::path results = dir_ / "results";
  write_sample_results(results);
  const auto report = run(1, "report " + results.string());
  ASSERT_EQ(report.code, 0) << report.output;
  const fs::path page = results / "report.html";

  // the DOM Chromium builds from the page: 4 plots, every line with points
  const auto dom = shell(chromium_command(exe, dir_ / "profile-dom", "--dump-dom", page) + " 2>/dev/null");
  ASSERT_EQ(dom.code, 0) << "chromium --dump-dom failed:\n" << dom.output;
  EXPECT_EQ(count(dom.output, "<svg"), 4u) << dom.output.substr(0, 2000);
  const std::regex polyline("<polyline[^>]*points=\"([^\"]*)\"[^>]*>");
  const std::regex point("^-?[0-9.]+,-?[0-9.]+( -?[0-9.]+,-?[0-9.]+)*$");
  std::size_t plots = 0;
  std::size_t lines = 0;
  std::size_t dashed = 0;
  for (std::size_t at = dom.output.find("<svg"); at != std::string::npos; at = dom.output.find("<svg", at + 1)) {
    ++plots;
    const std::size_t end = dom.output.find("</svg>", at);
    ASSERT_NE(end, std::string::npos) << "plot " << plots << " is not closed";
    const std::string svg = dom.output.substr(at, end - at);
    std::size_t in_plot = 0;
    for (auto p = std::sregex_iterator(svg.begin(), svg.end(), polyline); p != std::sregex_iterator(); ++p) {
      ++in_plot;
      const std::string points = (*p)[1].str();
      EXPECT_TRUE(std::regex_match(points, point)) << "plot " << plots << ": points=\"" << points << "\"";
      EXPECT_NE(points.find(' '), std::string::npos) << "plot " << plots << ": a line of one point";
      dashed += p->str().find("stroke-dasharray") != std::string::npos ? 1 : 0;
    }
    EXPECT_GE(in_plot, 1u) << "plot " << plots << " has no line";
    lines += in_plot;
  }
  EXPECT_EQ(plots, 4u);
  EXPECT_EQ(lines, 7u);   // base model: 1 + 1; tuned: 3 (sst2) + 2 (ewt)
  EXPECT_EQ(dashed, 2u);  // the tuned model's alignment with its base, on each corpus

  // the screenshot: the page rendered, with the plots' line colours
  const fs::path png = dir_ / "report.png";
  const auto shot = shell(chromium_command(exe, dir_ / "profile-shot", "--screenshot=" + quoted(png), page) + " 2>&1");
  ASSERT_EQ(shot.code, 0) << "chromium --screenshot failed:\n" << shot.output;
  ASSERT_TRUE(fs::exists(png)) << shot.output;
  const Image image = decode_png(read_file(png));
  ASSERT_EQ(image.width, 1200u);
  ASSERT_EQ(image.height, 2000u);
  std::set<std::uint32_t> colors(image.pixels.begin(), image.pixels.end());
  std::printf("screenshot: %zu colours, %zu non-white pixels; near the sets' colours: %zu, %zu, %zu\n", colors.size(),
              image.pixels.size() - pixels_near(image, 0xffffff, 0), pixels_near(image, 0x0072b2, 40),
              pixels_near(image, 0xd55e00, 40), pixels_near(image, 0x009e73, 40));
  EXPECT_GT(colors.size(), 50u) << "the screenshot is (nearly) blank";
  const std::size_t white = pixels_near(image, 0xffffff, 0);
  EXPECT_GT(image.pixels.size() - white, image.pixels.size() / 100) << "less than 1% of the screenshot is not white";
  // the sets' colours (palette: sentiment #0072b2, POS #d55e00, predicted #009e73) and the base line
  EXPECT_GT(pixels_near(image, 0x0072b2, 40), 200u) << "no sentiment line in the screenshot";
  EXPECT_GT(pixels_near(image, 0xd55e00, 40), 200u) << "no POS line in the screenshot";
  EXPECT_GT(pixels_near(image, 0x009e73, 40), 100u) << "no predicted line in the screenshot";
}
