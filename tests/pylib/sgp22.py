"""SGP.22 ES10 structures in python3-asn1crypto, written from GSMA SGP.22 v2.2 (ASN.1 module
RSPDefinitions, section 5.7 / annex H) independently of simkit's C++ codec: the independent decoder
of the tests. tests/vectors/es10/make_vectors.py builds the codec's vectors with it, and
tests/integration/test_euicc_flows.py decodes every ES10 request it sends and every answer the card
gives with it.

    from sgp22 import ProfileInfoListResponse, iccid
    answer = ProfileInfoListResponse.load(der)      # BF2D ...
    answer.name == 'profileInfoListOk'; answer.chosen[0]['iccid'].native

Field names are SGP.22's; enumerations are their SGP.22 numbers (result codes below). Plain BER-TLV
(`tlv`) and the EF.ICCID digit form (`iccid`, `iccid_digits`) are here too, for hand-made inputs.
"""

from asn1crypto import x509
from asn1crypto.core import (BitString, Boolean, Choice, Integer, ObjectIdentifier, OctetString,
                             Sequence, SequenceOf, UTF8String)

CONTEXT, APPLICATION, PRIVATE = 2, 1, 3

# --- SGP.22 RSPDefinitions (the parts ES10a/b/c use) ------------------------------------------------


class Iccid(OctetString):  # [APPLICATION 26] OCTET STRING (SIZE(10))
    class_, tag = APPLICATION, 26


class IsdpAid(OctetString):  # [APPLICATION 15] OctetTo16
    class_, tag = APPLICATION, 15


class TagList(OctetString):  # [APPLICATION 28]
    class_, tag = APPLICATION, 28


class NotificationEvent(BitString):
    _map = {0: 'notificationInstall', 1: 'notificationEnable', 2: 'notificationDisable', 3: 'notificationDelete'}


class PprIds(BitString):
    _map = {0: 'pprUpdateControl', 1: 'ppr1', 2: 'ppr2'}


class UICCCapability(BitString):
    _map = {0: 'contactlessSupport', 1: 'usimSupport', 2: 'isimSupport', 3: 'csimSupport', 4: 'akaMilenage',
            5: 'akaCave', 6: 'akaTuak128', 7: 'akaTuak256', 8: 'rfu1', 9: 'rfu2', 10: 'gbaAuthenUsim',
            11: 'gbaAuthenISim', 12: 'mbmsAuthenUsim', 13: 'eapClient', 14: 'javacard', 15: 'multos',
            16: 'multipleUsimSupport', 17: 'multipleIsimSupport', 18: 'multipleCsimSupport'}


class RspCapability(BitString):
    _map = {0: 'additionalProfile', 1: 'crlSupport', 2: 'rpmSupport', 3: 'testProfileSupport'}


class ResetOptions(BitString):
    _map = {0: 'deleteOperationalProfiles', 1: 'deleteFieldLoadedTestProfiles', 2: 'resetDefaultSmdpAddress'}


class PprFlags(BitString):
    _map = {0: 'consentRequired'}


class OperatorId(Sequence):  # AUTOMATIC TAGS
    _fields = [('mccMnc', OctetString, {'implicit': 0}),
               ('gid1', OctetString, {'implicit': 1, 'optional': True}),
               ('gid2', OctetString, {'implicit': 2, 'optional': True})]


class NotificationConfigurationInformation(Sequence):
    _fields = [('profileManagementOperation', NotificationEvent, {'implicit': 0}),
               ('notificationAddress', UTF8String, {'implicit': 1})]


class NotificationConfigurationList(SequenceOf):
    _child_spec = NotificationConfigurationInformation


class DpProprietaryData(Sequence):
    _fields = [('dpOid', ObjectIdentifier, {'implicit': 0})]


class ProfileInfo(Sequence):  # [PRIVATE 3] -- E3
    class_, tag = PRIVATE, 3
    _fields = [('iccid', Iccid, {'optional': True}),
               ('isdpAid', IsdpAid, {'optional': True}),
               ('profileState', Integer, {'implicit': 112, 'optional': True}),
               ('profileNickname', UTF8String, {'implicit': 16, 'optional': True}),
               ('serviceProviderName', UTF8String, {'implicit': 17, 'optional': True}),
               ('profileName', UTF8String, {'implicit': 18, 'optional': True}),
               ('iconType', Integer, {'implicit': 19, 'optional': True}),
               ('icon', OctetString, {'implicit': 20, 'optional': True}),
               ('profileClass', Integer, {'implicit': 21, 'default': 2}),
               ('notificationConfigurationInfo', NotificationConfigurationList, {'implicit': 22, 'optional': True}),
               ('profileOwner', OperatorId, {'implicit': 23, 'optional': True}),
               ('dpProprietaryData', DpProprietaryData, {'implicit': 24, 'optional': True}),
               ('profilePolicyRules', PprIds, {'implicit': 25, 'optional': True})]


class ProfileInfoList(SequenceOf):
    _child_spec = ProfileInfo


class ProfileIdentifier(Choice):
    _alternatives = [('isdpAid', IsdpAid), ('iccid', Iccid)]


class SearchCriteria(Choice):
    _alternatives = [('isdpAid', IsdpAid), ('iccid', Iccid), ('profileClass', Integer, {'implicit': 21})]


def message(tag, fields):
    """A [tag] SEQUENCE (context class, implicit: BFxx)."""
    return type('Message%X' % tag, (Sequence,), {'class_': CONTEXT, 'tag': tag, '_fields': fields})


def choice_message(tag, alternatives):
    """A [tag] CHOICE (tagging a CHOICE is explicit: BFxx { alternative })."""
    return type('Choice%X' % tag, (Choice,), {'explicit': ((CONTEXT, tag),), '_alternatives': alternatives})


GetEuiccDataRequest = message(62, [('tagList', TagList)])
GetEuiccDataResponse = message(62, [('eidValue', OctetString, {'implicit': (APPLICATION, 26)})])
ProfileInfoListRequest = message(45, [('searchCriteria', SearchCriteria, {'explicit': 0, 'optional': True}),
                                      ('tagList', TagList, {'optional': True})])
ProfileInfoListResponse = choice_message(45, [('profileInfoListOk', ProfileInfoList, {'implicit': 0}),
                                              ('profileInfoListError', Integer, {'implicit': 1})])
EnableProfileRequest = message(49, [('profileIdentifier', ProfileIdentifier, {'explicit': 0}),
                                    ('refreshFlag', Boolean, {'implicit': 1})])
DisableProfileRequest = message(50, [('profileIdentifier', ProfileIdentifier, {'explicit': 0}),
                                     ('refreshFlag', Boolean, {'implicit': 1})])
DeleteProfileRequest = choice_message(51, [('isdpAid', IsdpAid), ('iccid', Iccid)])
SetNicknameRequest = message(41, [('iccid', Iccid), ('profileNickname', UTF8String, {'implicit': 16})])
EuiccMemoryResetRequest = message(52, [('resetOptions', ResetOptions, {'implicit': 2})])
EuiccConfiguredAddressesResponse = message(60, [('defaultDpAddress', UTF8String, {'implicit': 0, 'optional': True}),
                                                ('rootDsAddress', UTF8String, {'implicit': 1})])
SetDefaultDpAddressRequest = message(63, [('defaultDpAddress', UTF8String, {'implicit': 0})])
# Enable/Disable/Delete/SetNickname/eUICCMemoryReset/SetDefaultDpAddress/NotificationSent responses:
# [tag] SEQUENCE { result [0] INTEGER }.
RESULT_RESPONSES = {tag: message(tag, [('result', Integer, {'implicit': 0})]) for tag in (49, 50, 51, 41, 52, 63, 48)}
GetEuiccChallengeResponse = message(46, [('euiccChallenge', OctetString, {'implicit': 0})])


class SubjectKeyIdentifiers(SequenceOf):
    _child_spec = OctetString


EUICCInfo1 = message(32, [('svn', OctetString, {'implicit': 2}),
                          ('euiccCiPKIdListForVerification', SubjectKeyIdentifiers, {'implicit': 9}),
                          ('euiccCiPKIdListForSigning', SubjectKeyIdentifiers, {'implicit': 10})])


class CertificationDataObject(Sequence):
    _fields = [('platformLabel', UTF8String, {'implicit': 0}), ('discoveryBaseURL', UTF8String, {'implicit': 1})]


EUICCInfo2 = message(34, [('profileVersion', OctetString, {'implicit': 1}),
                          ('svn', OctetString, {'implicit': 2}),
                          ('euiccFirmwareVer', OctetString, {'implicit': 3}),
                          ('extCardResource', OctetString, {'implicit': 4}),
                          ('uiccCapability', UICCCapability, {'implicit': 5}),
                          ('ts102241Version', OctetString, {'implicit': 6, 'optional': True}),
                          ('globalplatformVersion', OctetString, {'implicit': 7, 'optional': True}),
                          ('rspCapability', RspCapability, {'implicit': 8}),
                          ('euiccCiPKIdListForVerification', SubjectKeyIdentifiers, {'implicit': 9}),
                          ('euiccCiPKIdListForSigning', SubjectKeyIdentifiers, {'implicit': 10}),
                          ('euiccCategory', Integer, {'implicit': 11, 'optional': True}),
                          ('forbiddenProfilePolicyRules', PprIds, {'implicit': 25, 'optional': True}),
                          ('ppVersion', OctetString),
                          ('sasAcreditationNumber', UTF8String),
                          ('certificationDataObject', CertificationDataObject, {'implicit': 12, 'optional': True})])


class OperatorIds(SequenceOf):
    _child_spec = OperatorId


class ProfilePolicyAuthorisationRule(Sequence):
    _fields = [('pprIds', PprIds, {'implicit': 0}), ('allowedOperators', OperatorIds, {'implicit': 1}),
               ('pprFlags', PprFlags, {'implicit': 2})]


class RulesAuthorisationTable(SequenceOf):
    _child_spec = ProfilePolicyAuthorisationRule


GetRatResponse = message(67, [('rat', RulesAuthorisationTable, {'implicit': 0})])


class NotificationMetadata(Sequence):  # [47] -- BF2F
    class_, tag = CONTEXT, 47
    _fields = [('seqNumber', Integer, {'implicit': 0}),
               ('profileManagementOperation', NotificationEvent, {'implicit': 1}),
               ('notificationAddress', UTF8String),
               ('iccid', Iccid, {'optional': True})]


class NotificationMetadataList(SequenceOf):
    _child_spec = NotificationMetadata


ListNotificationRequest = message(40, [('profileManagementOperation', NotificationEvent, {'implicit': 1, 'optional': True})])
ListNotificationResponse = choice_message(40, [('notificationMetadataList', NotificationMetadataList, {'implicit': 0}),
                                               ('listNotificationsResultError', Integer, {'implicit': 1})])


class OtherSignedNotification(Sequence):
    _fields = [('tbsOtherNotification', NotificationMetadata),
               ('euiccNotificationSignature', OctetString, {'implicit': (APPLICATION, 55)}),
               ('euiccCertificate', x509.Certificate),
               ('eumCertificate', x509.Certificate)]


class PendingNotification(Choice):  # profileInstallationResult [PRIVATE 55] left out: simkit does not keep it
    _alternatives = [('otherSignedNotification', OtherSignedNotification)]


class PendingNotificationList(SequenceOf):
    _child_spec = PendingNotification


class RetrieveSearchCriteria(Choice):
    _alternatives = [('seqNumber', Integer, {'implicit': 0}),
                     ('profileManagementOperation', NotificationEvent, {'implicit': 1})]


RetrieveNotificationsListRequest = message(43, [('searchCriteria', RetrieveSearchCriteria, {'explicit': 0, 'optional': True})])
RetrieveNotificationsListResponse = choice_message(43, [('notificationList', PendingNotificationList, {'implicit': 0}),
                                                        ('notificationsListResultError', Integer, {'implicit': 1})])
NotificationSentRequest = message(48, [('seqNumber', Integer, {'implicit': 0})])
EMPTY_REQUESTS = {tag: message(tag, []) for tag in (32, 34, 67, 46, 60)}  # EUICCInfo1/2, RAT, challenge, addresses

# --- result codes (SGP.22 5.7.16 .. 5.7.21) --------------------------------------------------------

OK = 0
ICCID_OR_AID_NOT_FOUND = 1           # Enable/Disable/Delete; SetNickname: iccidNotFound
PROFILE_NOT_IN_DISABLED_STATE = 2    # Enable, Delete
PROFILE_NOT_IN_ENABLED_STATE = 2     # Disable
DISALLOWED_BY_POLICY = 3
WRONG_PROFILE_REENABLING = 4
CAT_BUSY = 5
UNDEFINED_ERROR = 127

EVENTS = ['notificationInstall', 'notificationEnable', 'notificationDisable', 'notificationDelete']

# --- helpers ---------------------------------------------------------------------------------------


def tlv(tag, value):
    """Plain BER-TLV, for hand-made inputs that asn1crypto would refuse to write."""
    out = tag.to_bytes((tag.bit_length() + 7) // 8, 'big')
    n = len(value)
    if n < 0x80:
        out += bytes([n])
    elif n < 0x100:
        out += bytes([0x81, n])
    else:
        out += bytes([0x82]) + n.to_bytes(2, 'big')
    return out + value


def iccid(digits):
    """EF.ICCID form: digits F-padded to 20, each pair's first digit in the low nibble."""
    padded = digits + 'F' * (20 - len(digits))
    return bytes.fromhex(''.join(padded[i + 1] + padded[i] for i in range(0, 20, 2)))


def iccid_digits(value):
    """The digits of an EF.ICCID-form value (nibbles swapped back, F padding dropped)."""
    swapped = ''.join(value.hex().upper()[i + 1] + value.hex().upper()[i] for i in range(0, 2 * len(value), 2))
    return swapped.rstrip('F')


def event(n):
    return NotificationEvent({EVENTS[n]})


def dump(value):
    """DER of an asn1crypto value; a SEQUENCE with no field set is built first (asn1crypto leaves it
    unbuilt)."""
    if isinstance(value, Sequence) and value.contents is None:
        value._set_contents()
    return value.dump()
