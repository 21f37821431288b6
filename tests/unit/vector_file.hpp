// The one reader of tests/vectors/*.vec: one vector per line, "<kind> name=value name=value ...",
// '#' starts a comment, blank lines are skipped. Adding a vector is adding a line.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"

namespace simkit::test {

struct Vector {
    std::string file;
    int line = 0;
    std::string kind;
    std::map<std::string, std::string> fields;

    bool has(const std::string& name) const { return fields.count(name) != 0; }
    const std::string& text(const std::string& name) const {
        const auto it = fields.find(name);
        if (it == fields.end()) throw std::runtime_error(where() + ": field '" + name + "' missing");
        return it->second;
    }
    bytes hex(const std::string& name) const { return has(name) ? from_hex(text(name)) : bytes{}; }
    std::string where() const { return file + ":" + std::to_string(line); }
};

inline std::vector<Vector> read_vectors(const std::string& name) {
    const std::string path = std::string(SIMKIT_VECTORS_DIR) + "/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open vector file " + path);
    std::vector<Vector> out;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        Vector v{name, number, {}, {}};
        if (!(words >> v.kind)) continue;
        for (std::string word; words >> word;) {
            const auto eq = word.find('=');
            if (eq == std::string::npos || eq == 0) throw std::runtime_error(v.where() + ": '" + word + "' is not name=value");
            v.fields[word.substr(0, eq)] = word.substr(eq + 1);
        }
        out.push_back(std::move(v));
    }
    if (out.empty()) throw std::runtime_error("vector file " + path + " holds no vectors");
    return out;
}

}  // namespace simkit::test
