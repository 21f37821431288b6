// The eUICC's pending notifications (SGP.22 3.5, 5.7.9-5.7.11) as records: one record set per
// notification under euicc/notification/SSSSSSSS/ (sequence number, 8 hex digits): event (1 byte),
// address (UTF-8), iccid (10 bytes); euicc/notification/next holds the next sequence number (4 bytes).
// A notification is staged in the same commit as the enable, disable or delete that makes it, and
// signed with the eUICC key when an LPA retrieves it. specs/euicc.md "Card side".
#pragma once

#include <optional>
#include <vector>

#include "simkit/es10.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::euicc {

inline constexpr const char* kNextSeqRecord = "euicc/notification/next";
inline constexpr const char* kTestSmdpAddress = "testsmdpplus1.example.com";  // when no default is set
inline constexpr std::size_t kMaxNotifications = 64;  // the oldest is dropped beyond

// Stages a notification for `iccid`: address the default SM-DP+ address, else kTestSmdpAddress.
void add_notification(PersistentState& state, es10::NotificationEvent event, const bytes& iccid);
// In sequence order; `filter`: one event only.
std::vector<es10::NotificationMetadata> list_notifications(const PersistentState& state,
                                                           std::optional<es10::NotificationEvent> filter = std::nullopt);
// Signs one notification with the eUICC key: 5F37 over the DER of its BF2F.
es10::SignedNotification sign_notification(const PersistentState& state, const es10::NotificationMetadata& metadata);
// Erases the notification `seq`; false when there is none.
bool remove_notification(PersistentState& state, uint32_t seq);

}  // namespace simkit::sim::euicc
