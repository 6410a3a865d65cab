// nn.utils: gradient clipping (the kernels' callers live in optim/).
export { clipGradNorm_, clipGradValue_ } from "../optim/clip.js";
