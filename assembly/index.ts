// One module, several builds (scalar, simd, relaxed-simd): each family file
// picks its code path at compile time from ASC_FEATURE_SIMD and
// ASC_FEATURE_RELAXED_SIMD.
export * from "./memory";
export * from "./elementwise";
export * from "./broadcast";
export * from "./reduce";
export * from "./softmax";
export * from "./gemm";
export * from "./conv";
export * from "./pool";
export * from "./loss";
export * from "./optim";
export * from "./gather";
export * from "./norm";
export * from "./augment";
