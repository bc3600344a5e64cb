from django.urls import path

from ledger.views import (
    HoldingListApi,
    LedgerEntryDetailApi,
    LedgerEntryListApi,
    LedgerEntryProofApi,
    LedgerHeadApi,
    LedgerVerifyApi,
)

urlpatterns = [
    path("holdings/", HoldingListApi.as_view(), name="holdings"),
    path("ledger/entries/", LedgerEntryListApi.as_view(), name="ledger-entries"),
    path("ledger/entries/<id:seq>/", LedgerEntryDetailApi.as_view(), name="ledger-entry"),
    path("ledger/entries/<id:seq>/proof/", LedgerEntryProofApi.as_view(), name="ledger-entry-proof"),
    path("ledger/head/", LedgerHeadApi.as_view(), name="ledger-head"),
    path("ledger/verify/", LedgerVerifyApi.as_view(), name="ledger-verify"),
]
