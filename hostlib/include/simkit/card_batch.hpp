// The card data of a personalization batch: a CSV file with a header line. Required columns
// `iccid,imsi,ki,opc`; optional `pin`, `puk`, `device_key_slot`; any order; other columns are an
// error (a typo must not silently drop data). Rows are checked whole before any card is touched:
// bad hex, wrong lengths, a bad ICCID check digit, a duplicate ICCID are reported with their line
// number, and such a row is never personalized. Code: hostlib/src/personalize/card_batch.cpp.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "simkit/personalization.hpp"

namespace simkit::personalize {

struct RowError {
    std::size_t line = 0;     // 1 = the header
    std::string message;      // "line 7: ki: 15 bytes, expected 16" (never the secret's value)
};

struct CardBatch {
    std::vector<CardData> cards;    // the good rows, in file order
    std::vector<RowError> errors;   // the bad rows (and header problems, line 1)
};

// Reads the whole CSV. FormatError only when there is no usable header at all (empty input, a
// required column missing, an unknown or repeated column): nothing can be read then. Blank lines
// and lines starting with '#' are skipped (they still count for line numbers); fields may be quoted
// ("...", "" for a quote) and surrounded by spaces; column names ignore case; an empty optional
// field means "none". One RowError per bad row, its problems joined by "; ".
CardBatch read_card_batch(std::istream& csv);
CardBatch read_card_batch_file(const std::string& path);  // FormatError when the file cannot be read

}  // namespace simkit::personalize
