"""Validation (WebAssembly spec chapter 3 and the algorithm of appendix A.3).

Entry points are in `module`: `validate_module`, `module_import_types`, `module_export_types`.
"""
