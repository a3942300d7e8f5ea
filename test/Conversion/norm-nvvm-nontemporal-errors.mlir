// The norm dialect's verifier reports these when the file is parsed; the
// second run skips it, so that the pass's own check (for tools that do not
// load the dialect) reports them.
// RUN: norm-opt %s -split-input-file -norm-nvvm-nontemporal -verify-diagnostics
// RUN: norm-opt %s -split-input-file --mlir-very-unsafe-disable-verifier-on-parsing -norm-nvvm-nontemporal -verify-diagnostics

// expected-error @below {{norm.row_cache_policy must be "streaming" or "evict_last_loads", not "evict_last"}}
llvm.func @unknown_policy(%p: !llvm.ptr<1>) attributes {norm.row_cache_policy = "evict_last"} {
  %v = llvm.load %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  llvm.return
}

// -----

// expected-error @below {{norm.row_cache_policy must be "streaming" or "evict_last_loads", not 1 : i32}}
llvm.func @not_a_string(%p: !llvm.ptr<1>) attributes {norm.row_cache_policy = 1 : i32} {
  llvm.return
}

// -----

// Every function is checked, whichever comes first.
llvm.func @valid(%p: !llvm.ptr<1>) attributes {norm.row_cache_policy = "evict_last_loads"} {
  %v = llvm.load %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  llvm.return
}
// expected-error @below {{norm.row_cache_policy must be "streaming" or "evict_last_loads", not ""}}
llvm.func @empty_policy(%p: !llvm.ptr<1>) attributes {norm.row_cache_policy = ""} {
  llvm.return
}
