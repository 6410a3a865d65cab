// Runs in every test worker before its test files load.
import { enableRelaxedSimd } from "../../src/node/relaxed-simd.js";

enableRelaxedSimd();
