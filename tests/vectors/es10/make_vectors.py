#!/usr/bin/python3
"""Builds the ES10 test vectors (tests/vectors/es10/*.json) with python3-asn1crypto.

The structures are in tests/pylib/sgp22.py, written from GSMA SGP.22 v2.2, ASN.1 module
RSPDefinitions (section 5.7 / annex H), independently of simkit's C++ codec: the C++ test
(tests/unit/test_es10_codec.cpp) decodes every vector and must find the fields listed here, and must
encode those fields to the same bytes.

Output, one file per C++ value type, <Type>.json: a list of
    {"name": ..., "hex": <DER>, "fields": {...}}                      encode and decode both checked
    {"name": ..., "hex": <input>, "canonical": <DER>, "fields": ...}  accepted input that is not the
        DER simkit writes (a default value present, fields simkit skips): decode gives `fields`, and
        encoding them gives `canonical`
and negative.json: {"type", "name", "hex", "error"}: decoding must raise FormatError whose message
contains `error`.
Field values: bytes as upper-case hex, text as strings, enumerations as their SGP.22 numbers.

Run: /usr/bin/python3 tests/vectors/es10/make_vectors.py   (rewrites the .json files next to it)
"""

import datetime
import json
import os
import sys

from asn1crypto import keys, x509
from asn1crypto.core import Sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'pylib'))
from sgp22 import (EMPTY_REQUESTS, EVENTS, EUICCInfo1, EUICCInfo2, RESULT_RESPONSES,  # noqa: E402
                   DeleteProfileRequest, DisableProfileRequest, EnableProfileRequest,
                   EuiccConfiguredAddressesResponse, EuiccMemoryResetRequest, GetEuiccChallengeResponse,
                   GetEuiccDataRequest, GetEuiccDataResponse, GetRatResponse, ListNotificationRequest,
                   ListNotificationResponse, NotificationMetadata, NotificationSentRequest,
                   OtherSignedNotification, PendingNotification, PprFlags, PprIds, ProfileIdentifier,
                   ProfileInfo, ProfileInfoListRequest, ProfileInfoListResponse,
                   ProfilePolicyAuthorisationRule, ResetOptions, RetrieveNotificationsListRequest,
                   RetrieveNotificationsListResponse, RetrieveSearchCriteria, RspCapability, SearchCriteria,
                   SetDefaultDpAddressRequest, SetNicknameRequest, UICCCapability, event, iccid, tlv)

# --- helpers -------------------------------------------------------------------------------------

VECTORS = {}   # C++ type name -> list of vectors
NEGATIVE = []


def hx(data):
    return data.hex().upper()


def add(cpp_type, name, der, fields, canonical=None):
    if isinstance(der, Sequence) and der.contents is None:
        der._set_contents()  # asn1crypto leaves a SEQUENCE with no field set unbuilt
    data = der if isinstance(der, bytes) else der.dump()
    vector = {'name': name, 'hex': hx(data), 'fields': fields}
    if canonical is not None:
        vector['canonical'] = hx(canonical if isinstance(canonical, bytes) else canonical.dump())
    VECTORS.setdefault(cpp_type, []).append(vector)
    return data


def bad(cpp_type, name, data, error):
    NEGATIVE.append({'type': cpp_type, 'name': name, 'hex': hx(data), 'error': error})


def bits_hex(bit_string):
    return hx(bit_string.contents)


def certificate(common_name, organization):
    """A well-formed X.509 certificate (fixed contents, dummy signature): only its bytes matter here."""
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    tbs = x509.TbsCertificate({
        'version': 'v3',
        'serial_number': 0x0102030405,
        'signature': {'algorithm': 'sha256_ecdsa'},
        'issuer': x509.Name.build({'common_name': 'simkit test EUM', 'organization_name': organization}),
        'validity': {'not_before': x509.Time(name='utc_time', value=when),
                     'not_after': x509.Time(name='general_time', value=when.replace(year=2056))},
        'subject': x509.Name.build({'common_name': common_name, 'organization_name': organization}),
        'subject_public_key_info': {
            'algorithm': {'algorithm': 'ec', 'parameters': keys.ECDomainParameters(name='named', value='secp256r1')},
            'public_key': bytes([0x04]) + bytes(range(1, 65))},
    })
    return x509.Certificate({'tbs_certificate': tbs, 'signature_algorithm': {'algorithm': 'sha256_ecdsa'},
                             'signature_value': bytes.fromhex('3006020101020102')})


ICCID20 = '89049032123451234512'
ICCID19 = '8988211000000000017'
ICCID18 = '898821100000000001'
AID1 = bytes.fromhex('A0000005591010FFFFFFFF8900001000')
AID2 = bytes.fromhex('A0000005591010FFFFFFFF8900001100')
EID = bytes.fromhex('89049032123451234512345678901235')
SKI_GSMA = bytes.fromhex('F54172BDF98A95D65CBEB88A38A1C11D800A85C3')
SKI_TEST = bytes.fromhex('665A1433D67C1A2C5DB8B52C967F10A057BA5CB2')

# --- ES10c ---------------------------------------------------------------------------------------


def profile_vectors():
    add('GetEidRequest', 'eid', GetEuiccDataRequest({'tagList': b'\x5A'}), {'tag_list': '5A'})
    add('GetEidRequest', 'two tags', GetEuiccDataRequest({'tagList': b'\x5A\x4F'}), {'tag_list': '5A4F'})
    add('GetEidResponse', 'eid', GetEuiccDataResponse({'eidValue': EID}), {'eid': hx(EID)})

    add('ProfileInfoListRequest', 'all profiles', ProfileInfoListRequest({}), {})
    lpac_tags = bytes.fromhex('5A4F9F70909192939495B6B7B899')
    add('ProfileInfoListRequest', 'lpac tag list', ProfileInfoListRequest({'tagList': lpac_tags}),
        {'tag_list': hx(lpac_tags)})
    add('ProfileInfoListRequest', 'by iccid 20 digits',
        ProfileInfoListRequest({'searchCriteria': SearchCriteria(name='iccid', value=iccid(ICCID20))}),
        {'search': {'profile': {'kind': 'iccid', 'value': hx(iccid(ICCID20))}}})
    add('ProfileInfoListRequest', 'by isdp aid with tags',
        ProfileInfoListRequest({'searchCriteria': SearchCriteria(name='isdpAid', value=AID1), 'tagList': b'\x5A\x9F\x70'}),
        {'search': {'profile': {'kind': 'isdpAid', 'value': hx(AID1)}}, 'tag_list': '5A9F70'})
    add('ProfileInfoListRequest', 'by class test',
        ProfileInfoListRequest({'searchCriteria': SearchCriteria(name='profileClass', value=0)}),
        {'search': {'profile_class': 0}})

    enabled = {'iccid': iccid(ICCID20), 'isdpAid': AID1, 'profileState': 1, 'profileNickname': 'work',
               'serviceProviderName': 'simkit', 'profileName': 'simkit operational', 'iconType': 1,
               'icon': bytes(range(16)), 'profileClass': 2, 'profilePolicyRules': PprIds({'ppr1'})}
    enabled_fields = {'iccid': hx(iccid(ICCID20)), 'isdp_aid': hx(AID1), 'state': 1, 'nickname': 'work',
                      'service_provider_name': 'simkit', 'profile_name': 'simkit operational', 'icon_type': 1,
                      'icon': hx(bytes(range(16))), 'policy_rules': bits_hex(PprIds({'ppr1'}))}
    long_icon = bytes((i * 7) & 0xFF for i in range(300))  # 94 82 01 2C
    test = {'iccid': iccid(ICCID19), 'isdpAid': AID2, 'profileState': 0, 'profileNickname': 'Büro ✓',
            'serviceProviderName': '', 'profileName': 'test', 'iconType': 0, 'icon': long_icon, 'profileClass': 0}
    test_fields = {'iccid': hx(iccid(ICCID19)), 'isdp_aid': hx(AID2), 'state': 0, 'nickname': 'Büro ✓',
                   'service_provider_name': '', 'profile_name': 'test', 'icon_type': 0, 'icon': hx(long_icon),
                   'profile_class': 0}
    add('ProfileInfoListResponse', 'no profiles', ProfileInfoListResponse(name='profileInfoListOk', value=[]),
        {'profiles': []})
    add('ProfileInfoListResponse', 'one enabled operational (class left out as DER default)',
        ProfileInfoListResponse(name='profileInfoListOk', value=[ProfileInfo(enabled)]), {'profiles': [enabled_fields]})
    add('ProfileInfoListResponse', 'two profiles, icon of 300 bytes',
        ProfileInfoListResponse(name='profileInfoListOk', value=[ProfileInfo(enabled), ProfileInfo(test)]),
        {'profiles': [enabled_fields, test_fields]})
    add('ProfileInfoListResponse', 'only iccid and state',
        ProfileInfoListResponse(name='profileInfoListOk', value=[ProfileInfo({'iccid': iccid(ICCID19), 'profileState': 0}),
                                                                 ProfileInfo({'profileClass': 1})]),
        {'profiles': [{'iccid': hx(iccid(ICCID19)), 'state': 0}, {'profile_class': 1}]})
    add('ProfileInfoListResponse', 'error incorrectInputValues',
        ProfileInfoListResponse(name='profileInfoListError', value=1), {'profiles': [], 'error': 1})
    add('ProfileInfoListResponse', 'error undefinedError',
        ProfileInfoListResponse(name='profileInfoListError', value=127), {'profiles': [], 'error': 127})
    # Accepted input simkit does not write: the DEFAULT class spelled out, fields simkit skips.
    explicit_class = tlv(0xBF2D, tlv(0xA0, tlv(0xE3, tlv(0x5A, iccid(ICCID20)) + tlv(0x95, b'\x02'))))
    add('ProfileInfoListResponse', 'operational class present (BER, real eUICCs send it)', explicit_class,
        {'profiles': [{'iccid': hx(iccid(ICCID20)), 'profile_class': 2}]},
        canonical=tlv(0xBF2D, tlv(0xA0, tlv(0xE3, tlv(0x5A, iccid(ICCID20))))))
    extra = dict(test, notificationConfigurationInfo=[{'profileManagementOperation': event(3),
                                                       'notificationAddress': 'smdp.example.com'}],
                 profileOwner={'mccMnc': bytes.fromhex('21F354'), 'gid1': b'\x01'},
                 dpProprietaryData={'dpOid': '1.3.6.1.4.1.31746'})
    add('ProfileInfoListResponse', 'notification config, owner and dp data skipped',
        ProfileInfoListResponse(name='profileInfoListOk', value=[ProfileInfo(extra)]), {'profiles': [test_fields]},
        canonical=ProfileInfoListResponse(name='profileInfoListOk', value=[ProfileInfo(test)]))

    for tag, cls, name in ((0xBF31, EnableProfileRequest, 'enable'), (0xBF32, DisableProfileRequest, 'disable')):
        add('ProfileOperationRequest', name + ' by iccid, refresh',
            cls({'profileIdentifier': ProfileIdentifier(name='iccid', value=iccid(ICCID20)), 'refreshFlag': True}),
            {'tag': tag, 'profile': {'kind': 'iccid', 'value': hx(iccid(ICCID20))}, 'refresh': True})
        add('ProfileOperationRequest', name + ' by isdp aid, no refresh',
            cls({'profileIdentifier': ProfileIdentifier(name='isdpAid', value=AID2), 'refreshFlag': False}),
            {'tag': tag, 'profile': {'kind': 'isdpAid', 'value': hx(AID2)}, 'refresh': False})
    nine = iccid(ICCID18)[:9]
    add('ProfileOperationRequest', 'enable by 9-byte iccid (18 digits, no padding)',
        EnableProfileRequest({'profileIdentifier': ProfileIdentifier(name='iccid', value=nine), 'refreshFlag': True}),
        {'tag': 0xBF31, 'profile': {'kind': 'iccid', 'value': hx(nine)}, 'refresh': True})
    add('DeleteProfileRequest', 'by iccid 19 digits', DeleteProfileRequest(name='iccid', value=iccid(ICCID19)),
        {'profile': {'kind': 'iccid', 'value': hx(iccid(ICCID19))}})
    add('DeleteProfileRequest', 'by isdp aid', DeleteProfileRequest(name='isdpAid', value=AID1),
        {'profile': {'kind': 'isdpAid', 'value': hx(AID1)}})

    for tag, code in ((49, 0), (49, 1), (49, 2), (49, 4), (50, 2), (51, 1), (51, 3), (41, 1), (52, 1), (52, 5),
                      (63, 0), (48, 0), (48, 1), (49, 127)):
        add('ResultResponse', 'BF%X result %d' % (tag, code), RESULT_RESPONSES[tag]({'result': code}),
            {'tag': 0xBF00 | tag, 'code': code})

    for name, nick in (('ascii', 'my work line'), ('empty', ''), ('utf-8', 'Büro ✓'), ('64 bytes', 'n' * 64)):
        add('SetNicknameRequest', name, SetNicknameRequest({'iccid': iccid(ICCID20), 'profileNickname': nick}),
            {'iccid': hx(iccid(ICCID20)), 'nickname': nick})
    add('SetNicknameRequest', '9-byte iccid', SetNicknameRequest({'iccid': nine, 'profileNickname': 'x'}),
        {'iccid': hx(nine), 'nickname': 'x'})

    names = ['deleteOperationalProfiles', 'deleteFieldLoadedTestProfiles', 'resetDefaultSmdpAddress']
    keys_ = ['delete_operational_profiles', 'delete_field_loaded_test_profiles', 'reset_default_smdp_address']
    for chosen in ([], [0], [1], [2], [0, 1], [0, 1, 2]):
        add('EuiccMemoryResetRequest', 'options ' + ('+'.join(names[i] for i in chosen) or 'none'),
            EuiccMemoryResetRequest({'resetOptions': ResetOptions({names[i] for i in chosen})}),
            {k: i in chosen for i, k in enumerate(keys_)})


# --- ES10a ---------------------------------------------------------------------------------------


def address_vectors():
    add('ConfiguredAddresses', 'both', EuiccConfiguredAddressesResponse(
        {'defaultDpAddress': 'smdp.example.com', 'rootDsAddress': 'lpa.ds.gsma.com'}),
        {'default_dp_address': 'smdp.example.com', 'root_ds_address': 'lpa.ds.gsma.com'})
    add('ConfiguredAddresses', 'no default', EuiccConfiguredAddressesResponse({'rootDsAddress': 'lpa.ds.gsma.com'}),
        {'root_ds_address': 'lpa.ds.gsma.com'})
    long_address = 'smdp-' + 'a' * 140 + '.example.com'  # 81 xx length inside, BF3C 81 xx outside
    add('ConfiguredAddresses', 'long default address', EuiccConfiguredAddressesResponse(
        {'defaultDpAddress': long_address, 'rootDsAddress': ''}),
        {'default_dp_address': long_address, 'root_ds_address': ''})
    add('SetDefaultDpAddressRequest', 'address', SetDefaultDpAddressRequest({'defaultDpAddress': 'smdp.example.com'}),
        {'address': 'smdp.example.com'})
    add('SetDefaultDpAddressRequest', 'empty removes it', SetDefaultDpAddressRequest({'defaultDpAddress': ''}),
        {'address': ''})

# --- ES10b ---------------------------------------------------------------------------------------


def info_vectors():
    for tag in sorted(EMPTY_REQUESTS):
        add('EmptyRequest', 'BF%X' % tag, EMPTY_REQUESTS[tag]({}), {'tag': 0xBF00 | tag})
    challenge = bytes(range(0xA0, 0xB0))
    add('EuiccChallengeResponse', 'challenge', GetEuiccChallengeResponse({'euiccChallenge': challenge}),
        {'challenge': hx(challenge)})

    add('EuiccInfo1', 'one CI each', EUICCInfo1({'svn': b'\x02\x02\x00', 'euiccCiPKIdListForVerification': [SKI_GSMA],
                                                 'euiccCiPKIdListForSigning': [SKI_GSMA]}),
        {'svn': '020200', 'ci_pkids_verification': [hx(SKI_GSMA)], 'ci_pkids_signing': [hx(SKI_GSMA)]})
    add('EuiccInfo1', 'two for verification', EUICCInfo1({'svn': b'\x02\x02\x02',
                                                          'euiccCiPKIdListForVerification': [SKI_GSMA, SKI_TEST],
                                                          'euiccCiPKIdListForSigning': [SKI_TEST]}),
        {'svn': '020202', 'ci_pkids_verification': [hx(SKI_GSMA), hx(SKI_TEST)], 'ci_pkids_signing': [hx(SKI_TEST)]})
    add('EuiccInfo1', 'empty lists', EUICCInfo1({'svn': b'\x02\x02\x00', 'euiccCiPKIdListForVerification': [],
                                                 'euiccCiPKIdListForSigning': []}),
        {'svn': '020200', 'ci_pkids_verification': [], 'ci_pkids_signing': []})

    ext = bytes.fromhex('810100820400010000830200F0')
    uicc_cap = UICCCapability({'usimSupport', 'isimSupport', 'akaMilenage', 'javacard', 'multipleUsimSupport'})
    rsp_cap = RspCapability({'additionalProfile', 'testProfileSupport'})
    full = {'profileVersion': b'\x02\x03\x00', 'svn': b'\x02\x02\x00', 'euiccFirmwareVer': b'\x01\x00\x00',
            'extCardResource': ext, 'uiccCapability': uicc_cap, 'ts102241Version': b'\x0F\x00\x00',
            'globalplatformVersion': b'\x02\x03\x01', 'rspCapability': rsp_cap,
            'euiccCiPKIdListForVerification': [SKI_GSMA, SKI_TEST], 'euiccCiPKIdListForSigning': [SKI_GSMA],
            'euiccCategory': 2, 'forbiddenProfilePolicyRules': PprIds({'ppr1'}), 'ppVersion': b'\x00\x00\x01',
            'sasAcreditationNumber': 'SIMKIT-SAS-0001'}
    full_fields = {'profile_version': '020300', 'svn': '020200', 'firmware_version': '010000', 'ext_card_resource': hx(ext),
                   'uicc_capability': bits_hex(uicc_cap), 'ts102241_version': '0F0000', 'globalplatform_version': '020301',
                   'rsp_capability': bits_hex(rsp_cap), 'ci_pkids_verification': [hx(SKI_GSMA), hx(SKI_TEST)],
                   'ci_pkids_signing': [hx(SKI_GSMA)], 'euicc_category': 2,
                   'forbidden_policy_rules': bits_hex(PprIds({'ppr1'})), 'pp_version': '000001',
                   'sas_accreditation_number': 'SIMKIT-SAS-0001'}
    add('EuiccInfo2', 'all fields simkit states', EUICCInfo2(full), full_fields)
    minimal = {k: v for k, v in full.items() if k not in ('ts102241Version', 'globalplatformVersion', 'euiccCategory',
                                                          'forbiddenProfilePolicyRules')}
    minimal.update({'euiccCiPKIdListForVerification': [], 'euiccCiPKIdListForSigning': [],
                    'sasAcreditationNumber': '', 'uiccCapability': UICCCapability(set())})
    minimal_fields = {k: v for k, v in full_fields.items() if k not in ('ts102241_version', 'globalplatform_version',
                                                                        'euicc_category', 'forbidden_policy_rules')}
    minimal_fields.update({'ci_pkids_verification': [], 'ci_pkids_signing': [], 'sas_accreditation_number': '',
                           'uicc_capability': '00'})
    add('EuiccInfo2', 'mandatory fields only, empty lists', EUICCInfo2(minimal), minimal_fields)
    with_cert_data = dict(full, certificationDataObject={'platformLabel': 'simkit', 'discoveryBaseURL': 'https://ds.example'})
    add('EuiccInfo2', 'certificationDataObject skipped', EUICCInfo2(with_cert_data), full_fields, canonical=EUICCInfo2(full))

    wildcard = {'pprIds': PprIds({'ppr1', 'ppr2'}), 'allowedOperators': [{'mccMnc': bytes.fromhex('EEEEEE')}],
                'pprFlags': PprFlags({'consentRequired'})}
    operator = {'pprIds': PprIds({'ppr2'}), 'allowedOperators': [{'mccMnc': bytes.fromhex('21F354'), 'gid1': b'\x01\x02'},
                                                                  {'mccMnc': bytes.fromhex('130014'), 'gid2': b'\xAA'}],
                'pprFlags': PprFlags(set())}
    add('RatResponse', 'empty table', GetRatResponse({'rat': []}), {'rules': []})
    for name, rules in (('one wildcard rule', [wildcard]), ('two rules', [wildcard, operator])):
        add('RatResponse', name, GetRatResponse({'rat': rules}),
            {'rules': [hx(ProfilePolicyAuthorisationRule(r).dump()) for r in rules]})


def metadata(seq, ev, address, iccid_bytes=None):
    asn1 = {'seqNumber': seq, 'profileManagementOperation': event(ev), 'notificationAddress': address}
    fields = {'seq_number': seq, 'event': ev, 'address': address}
    if iccid_bytes is not None:
        asn1['iccid'] = iccid_bytes
        fields['iccid'] = hx(iccid_bytes)
    return asn1, fields


def notification_vectors():
    add('ListNotificationRequest', 'all', ListNotificationRequest({}), {})
    for ev in range(4):
        add('ListNotificationRequest', 'filter ' + EVENTS[ev],
            ListNotificationRequest({'profileManagementOperation': event(ev)}), {'filter': ev})

    m = [metadata(0, 0, 'smdp.example.com', iccid(ICCID20)),
         metadata(127, 1, 'smdp.example.com', iccid(ICCID19)),
         metadata(128, 2, 'other.example.org'),
         metadata(0xFFFFFFFF, 3, 'smdp.example.com', iccid(ICCID20))]
    add('ListNotificationResponse', 'empty', ListNotificationResponse(name='notificationMetadataList', value=[]),
        {'notifications': []})
    add('ListNotificationResponse', 'four events, seq 0 127 128 2^32-1',
        ListNotificationResponse(name='notificationMetadataList', value=[NotificationMetadata(a) for a, _ in m]),
        {'notifications': [f for _, f in m]})
    add('ListNotificationResponse', 'error undefinedError',
        ListNotificationResponse(name='listNotificationsResultError', value=127), {'notifications': [], 'error': 127})
    # A BER NotificationEvent with the trailing zero bits kept (00 40) is still "enable".
    loose = tlv(0xBF28, tlv(0xA0, tlv(0xBF2F, tlv(0x80, b'\x05') + tlv(0x81, b'\x00\x40') + tlv(0x0C, b'a.b'))))
    add('ListNotificationResponse', 'event with trailing zero bits kept', loose,
        {'notifications': [{'seq_number': 5, 'event': 1, 'address': 'a.b'}]},
        canonical=ListNotificationResponse(name='notificationMetadataList',
                                           value=[NotificationMetadata(metadata(5, 1, 'a.b')[0])]))

    add('RetrieveNotificationsRequest', 'all', RetrieveNotificationsListRequest({}), {})
    for seq in (0, 5, 128, 65536):
        add('RetrieveNotificationsRequest', 'seq %d' % seq,
            RetrieveNotificationsListRequest({'searchCriteria': RetrieveSearchCriteria(name='seqNumber', value=seq)}),
            {'seq_number': seq})
    add('RetrieveNotificationsRequest', 'event disable', RetrieveNotificationsListRequest(
        {'searchCriteria': RetrieveSearchCriteria(name='profileManagementOperation', value=event(2))}), {'event': 2})

    euicc_cert = certificate('simkit test eUICC 89049032123451234512345678901235', 'simkit')
    eum_cert = certificate('simkit test EUM', 'simkit ' + 'long organisation name ' * 8)  # > 255 bytes: 30 82 ..
    signature = bytes(range(64))
    signed = []
    for asn1, fields in m[1:3]:
        signed.append((OtherSignedNotification({'tbsOtherNotification': asn1, 'euiccNotificationSignature': signature,
                                                'euiccCertificate': euicc_cert, 'eumCertificate': eum_cert}),
                       {'metadata': fields, 'signature': hx(signature), 'euicc_certificate': hx(euicc_cert.dump()),
                        'eum_certificate': hx(eum_cert.dump())}))
    add('RetrieveNotificationsResponse', 'empty', RetrieveNotificationsListResponse(name='notificationList', value=[]),
        {'notifications': []})
    add('RetrieveNotificationsResponse', 'two signed notifications',
        RetrieveNotificationsListResponse(name='notificationList', value=[
            PendingNotification(name='otherSignedNotification', value=s) for s, _ in signed]),
        {'notifications': [f for _, f in signed]})
    add('RetrieveNotificationsResponse', 'error noResultAvailable',
        RetrieveNotificationsListResponse(name='notificationsListResultError', value=1), {'notifications': [], 'error': 1})
    # A ProfileInstallationResult (BF37) in the list is skipped (hand-made, its contents do not matter).
    install = tlv(0xBF37, tlv(0xBF27, tlv(0x80, b'\x01')))
    one = signed[0][0].dump()
    add('RetrieveNotificationsResponse', 'profileInstallationResult skipped',
        tlv(0xBF2B, tlv(0xA0, install + one)), {'notifications': [signed[0][1]]},
        canonical=tlv(0xBF2B, tlv(0xA0, one)))

    for seq in (0, 127, 128, 256, 0xFFFFFFFF):
        add('NotificationSentRequest', 'seq %d' % seq, NotificationSentRequest({'seqNumber': seq}), {'seq_number': seq})


# --- inputs decoding must refuse -------------------------------------------------------------------


def negative_vectors():
    eid = GetEuiccDataResponse({'eidValue': EID}).dump()
    bad('GetEidResponse', 'wrong outer tag', b'\xBF\x3F' + eid[2:], 'outer tag BF3F, expected BF3E')
    bad('GetEidResponse', 'missing eid', tlv(0xBF3E, b''), 'eidValue (5A)')
    bad('GetEidResponse', 'eid of 15 bytes', tlv(0xBF3E, tlv(0x5A, EID[:15])), 'expected 16')
    bad('GetEidResponse', 'truncated', eid[:-1], 'runs past the end')
    bad('GetEidResponse', 'bytes after the message', eid + b'\x00', 'after the message')
    bad('GetEidRequest', 'missing tagList', tlv(0xBF3E, b''), 'tagList (5C)')

    ok = VECTORS['ProfileInfoListResponse'][2]['hex']
    bad('ProfileInfoListResponse', 'truncated', bytes.fromhex(ok)[:-1], 'runs past the end')
    bad('ProfileInfoListResponse', 'truncated inside', tlv(0xBF2D, tlv(0xA0, bytes.fromhex('E3055A0A98'))), 'profileInfoListOk')
    bad('ProfileInfoListResponse', 'neither list nor error', tlv(0xBF2D, b''), 'profileInfoListOk (A0)')
    bad('ProfileInfoListResponse', 'profileState 5', tlv(0xBF2D, tlv(0xA0, tlv(0xE3, tlv(0x9F70, b'\x05')))), 'profileState')
    bad('ProfileInfoListResponse', 'list item not E3', tlv(0xBF2D, tlv(0xA0, tlv(0x30, b''))), 'expected E3')
    bad('ProfileInfoListResponse', 'indefinite length', bytes.fromhex('BF2D80A0000000'), 'indefinite')
    bad('ProfileInfoListRequest', 'search by unknown tag', tlv(0xBF2D, tlv(0xA0, tlv(0x80, b'\x01'))), 'profile identifier')
    bad('ProfileInfoListRequest', 'empty search', tlv(0xBF2D, tlv(0xA0, b'')), 'searchCriteria')

    ident = tlv(0xA0, tlv(0x5A, iccid(ICCID20)))
    bad('ProfileOperationRequest', 'missing refreshFlag', tlv(0xBF31, ident), 'refreshFlag (81)')
    bad('ProfileOperationRequest', 'missing profileIdentifier', tlv(0xBF32, tlv(0x81, b'\xFF')), 'profileIdentifier (A0)')
    bad('ProfileOperationRequest', 'delete tag', tlv(0xBF33, ident + tlv(0x81, b'\xFF')), 'outer tag BF33')
    bad('ProfileOperationRequest', 'refreshFlag of 2 bytes', tlv(0xBF31, ident + tlv(0x81, b'\xFF\xFF')), 'refreshFlag')
    bad('DeleteProfileRequest', 'enable tag', tlv(0xBF31, tlv(0x5A, iccid(ICCID20))), 'outer tag BF31, expected BF33')
    bad('DeleteProfileRequest', 'nothing named', tlv(0xBF33, b''), 'isdpAid (4F) or iccid (5A)')
    bad('DeleteProfileRequest', 'unknown identifier', tlv(0xBF33, tlv(0x80, b'\x01')), 'profile identifier')

    bad('ResultResponse', 'missing result', tlv(0xBF31, b''), 'result (80)')
    bad('ResultResponse', 'negative result', tlv(0xBF31, tlv(0x80, b'\xFF')), 'negative')
    bad('ResultResponse', 'other tag', tlv(0xBF32, tlv(0x80, b'\x00')), 'outer tag BF32, expected BF31')

    bad('SetNicknameRequest', 'missing nickname', tlv(0xBF29, tlv(0x5A, iccid(ICCID20))), 'profileNickname (90)')
    bad('SetNicknameRequest', 'missing iccid', tlv(0xBF29, tlv(0x90, b'x')), 'iccid (5A)')
    bad('SetNicknameRequest', 'nickname of 65 bytes', tlv(0xBF29, tlv(0x5A, iccid(ICCID20)) + tlv(0x90, b'n' * 65)), 'at most 64')
    bad('EuiccMemoryResetRequest', 'missing resetOptions', tlv(0xBF34, b''), 'resetOptions (82)')
    bad('EuiccMemoryResetRequest', '8 unused bits', tlv(0xBF34, tlv(0x82, b'\x08\x80')), 'unused bits')
    bad('ConfiguredAddresses', 'missing rootDsAddress', tlv(0xBF3C, tlv(0x80, b'a.b')), 'rootDsAddress (81)')
    bad('SetDefaultDpAddressRequest', 'missing address', tlv(0xBF3F, b''), 'defaultDpAddress (80)')

    bad('EuiccChallengeResponse', 'challenge of 8 bytes', tlv(0xBF2E, tlv(0x80, bytes(8))), 'expected 16')
    info1 = tlv(0x82, b'\x02\x02\x00') + tlv(0xA9, tlv(0x04, SKI_GSMA))
    bad('EuiccInfo1', 'missing signing list', tlv(0xBF20, info1), 'euiccCiPKIdListForSigning (AA)')
    bad('EuiccInfo1', 'key id not 04', tlv(0xBF20, info1 + tlv(0xAA, tlv(0x80, SKI_GSMA))), 'SubjectKeyIdentifier')
    info2 = EUICCInfo2.load(bytes.fromhex(VECTORS['EuiccInfo2'][0]['hex'])).contents
    bad('EuiccInfo2', 'missing ppVersion', tlv(0xBF22, info2.replace(bytes.fromhex('0403000001'), b'')), 'ppVersion (04)')
    bad('EuiccInfo2', 'missing svn', tlv(0xBF22, info2.replace(bytes.fromhex('8203020200'), b'')), 'svn (82)')
    bad('RatResponse', 'missing rat', tlv(0xBF43, b''), 'rat (A0)')
    bad('RatResponse', 'rule not a SEQUENCE', tlv(0xBF43, tlv(0xA0, tlv(0x80, b'\x00'))), 'ProfilePolicyAuthorisationRule')

    def listed(*fields):
        return tlv(0xBF28, tlv(0xA0, tlv(0xBF2F, b''.join(fields))))
    bad('ListNotificationResponse', 'metadata without address', listed(tlv(0x80, b'\x01'), tlv(0x81, b'\x06\x40')),
        'notificationAddress (0C)')
    bad('ListNotificationResponse', 'metadata without seqNumber', listed(tlv(0x81, b'\x06\x40'), tlv(0x0C, b'a')),
        'seqNumber (80)')
    bad('ListNotificationResponse', 'two events at once', listed(tlv(0x80, b'\x01'), tlv(0x81, b'\x05\x60'), tlv(0x0C, b'a')),
        'exactly one')
    bad('ListNotificationResponse', 'no event', listed(tlv(0x80, b'\x01'), tlv(0x81, b'\x00'), tlv(0x0C, b'a')), 'exactly one')
    bad('ListNotificationResponse', 'neither list nor error', tlv(0xBF28, b''), 'notificationMetadataList (A0)')
    bad('ListNotificationRequest', 'event without unused-bits byte', tlv(0xBF28, tlv(0x81, b'')), 'unused-bits byte')

    good = bytes.fromhex(VECTORS['RetrieveNotificationsResponse'][1]['hex'])
    first = OtherSignedNotification.load(good[good.index(b'\x30'):])  # the first signed notification
    parts = [first['tbsOtherNotification'].dump(), first['euiccNotificationSignature'].dump(),
             first['euiccCertificate'].dump(), first['eumCertificate'].dump()]
    bad('RetrieveNotificationsResponse', 'missing eum certificate',
        tlv(0xBF2B, tlv(0xA0, tlv(0x30, b''.join(parts[:3])))), 'eumCertificate (30)')
    bad('RetrieveNotificationsResponse', 'missing signature',
        tlv(0xBF2B, tlv(0xA0, tlv(0x30, parts[0] + parts[2] + parts[3]))), 'euiccNotificationSignature (5F37)')
    bad('RetrieveNotificationsResponse', 'truncated', good[:-5], 'runs past the end')
    bad('RetrieveNotificationsRequest', 'unknown search', tlv(0xBF2B, tlv(0xA0, tlv(0x82, b''))), 'searchCriteria')

    bad('NotificationSentRequest', 'missing seqNumber', tlv(0xBF30, b''), 'seqNumber (80)')
    bad('NotificationSentRequest', 'negative seqNumber', tlv(0xBF30, tlv(0x80, b'\x80')), 'negative')
    bad('NotificationSentRequest', 'seqNumber 2^32', tlv(0xBF30, tlv(0x80, b'\x01\x00\x00\x00\x00')), 'above')
    bad('NotificationSentRequest', 'empty INTEGER', tlv(0xBF30, tlv(0x80, b'')), 'empty INTEGER')


def main():
    profile_vectors()
    address_vectors()
    info_vectors()
    notification_vectors()
    negative_vectors()
    here = os.path.dirname(os.path.abspath(__file__))
    for old in os.listdir(here):
        if old.endswith('.json'):
            os.remove(os.path.join(here, old))
    files = dict(VECTORS, negative=NEGATIVE)
    for name, vectors in sorted(files.items()):
        with open(os.path.join(here, name + '.json'), 'w', encoding='utf-8') as out:
            out.write('[\n' + ',\n'.join(json.dumps(v, ensure_ascii=False) for v in vectors) + '\n]\n')
    count = sum(len(v) for v in VECTORS.values())
    print('wrote %d vectors in %d files and %d negative inputs to %s' % (count, len(VECTORS), len(NEGATIVE), here),
          file=sys.stderr)


if __name__ == '__main__':
    main()
