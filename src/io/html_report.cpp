#include "io/html_report.hpp"

#include "io/file.hpp"

namespace lift3d::io {
namespace {

std::string escaped_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON has '<' only inside strings, where \u003c means the same character.
std::string script_safe_json(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

}  // namespace

std::string report_html(const std::string& title, const std::string& data_json) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"lift3d\">\n<title>" + escaped_text(title) + "</title>\n";
  page += "<style>\n" + std::string(report_style()) + "</style>\n</head>\n<body>\n";
  page += "<main id=\"lift3d-report\"></main>\n";
  page += "<script type=\"application/json\" id=\"lift3d-data\">" + script_safe_json(data_json) + "</script>\n";
  page += "<script>\n" + std::string(report_script()) + "</script>\n</body>\n</html>\n";
  return page;
}

void write_report_html(const std::string& path, const std::string& title, const std::string& data_json) {
  write_file_atomic(path, report_html(title, data_json));
}

}  // namespace lift3d::io
