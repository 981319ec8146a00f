// Self-contained HTML reports (no network: style, data and script all inline): the page shell and
// the player/chart script (html_report_script.cpp), filled with the JSON data the pipeline
// assembles (pipeline/report_data.hpp says what it holds). Format only.
#pragma once

#include <string>

namespace lift3d::io {

// The page: <title>, inline style, the data as <script type="application/json" id="lift3d-data">
// ('<' escaped as \u003c so no text in it can end the element), then the script that draws it.
std::string report_html(const std::string& title, const std::string& data_json);
// Written atomically.
void write_report_html(const std::string& path, const std::string& title, const std::string& data_json);

// The inline script and style (kept in their own file for reading).
const char* report_script();
const char* report_style();

}  // namespace lift3d::io
