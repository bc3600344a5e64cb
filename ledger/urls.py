from django.urls import path

from ledger.views import (
    HoldingListApi,
    LedgerCheckpointDetailApi,
    LedgerCheckpointListApi,
    LedgerConsistencyApi,
    LedgerEntryDetailApi,
    LedgerEntryListApi,
    LedgerEntryProofApi,
    LedgerHeadApi,
    LedgerPublicKeyApi,
    LedgerVerifyApi,
)

urlpatterns = [
    path("holdings/", HoldingListApi.as_view(), name="holdings"),
    path("ledger/entries/", LedgerEntryListApi.as_view(), name="ledger-entries"),
    path("ledger/entries/<id:seq>/", LedgerEntryDetailApi.as_view(), name="ledger-entry"),
    path("ledger/entries/<id:seq>/proof/", LedgerEntryProofApi.as_view(), name="ledger-entry-proof"),
    path("ledger/head/", LedgerHeadApi.as_view(), name="ledger-head"),
    path("ledger/verify/", LedgerVerifyApi.as_view(), name="ledger-verify"),
    path("ledger/checkpoints/", LedgerCheckpointListApi.as_view(), name="ledger-checkpoints"),
    path("ledger/checkpoints/<int:size>/", LedgerCheckpointDetailApi.as_view(), name="ledger-checkpoint"),
    path("ledger/consistency/", LedgerConsistencyApi.as_view(), name="ledger-consistency"),
    path("ledger/public-key/", LedgerPublicKeyApi.as_view(), name="ledger-public-key"),
]
