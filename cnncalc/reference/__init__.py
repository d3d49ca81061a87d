"""The NumPy reference executor: runs a spec forward with random (or given) weights to prove that
the analyzer's shapes and parameter counts are real. Imported only by `cnncalc run` and its tests;
the analyzer never imports NumPy."""
