// File control parameters (FCP template, tag 62) of the UICC files, ETSI TS 102 221 11.1.1.3.
// specs/usim.md shows the layout byte by byte.
#pragma once

#include "simkit/bytes.hpp"
#include "uicc/file_tree.hpp"

namespace simkit::sim::uicc {

// EF: 62 { 82 descriptor, 83 FID, 8A 05, 8C compact security attributes, 80 size, [88 SFI] }.
// MF/DF/ADF: 62 { 82 78 21, 83 FID, [84 AID], A5 proprietary, 8A 05, 8C, C6 PIN status template }.
bytes fcp_of(const FileNode& file);

// The compact security attributes (8C) value of an EF: AM byte 03 (UPDATE, READ), then one SC byte
// per operation: 00 always, 11 PIN1, 1A ADM1, FF never (see specs/usim.md).
bytes compact_security_attributes(const FileNode& ef);

}  // namespace simkit::sim::uicc
