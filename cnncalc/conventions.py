"""The counting conventions, as switches. Every output states the ones it used.

The lecture notes mix conventions (with or without biases, KB = 1024 bytes, input counted in
memory or not); each of their tables is reproducible by choosing these, never by bending a formula.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}
OPTIMIZER_STATE = {"sgd": 0, "momentum": 1, "adam": 2}  # extra values kept per trainable parameter

Dtype = Literal["fp32", "fp16", "bf16", "int8"]


@dataclass(frozen=True)
class Conventions:
    batch: int = 1
    dtype: Dtype = "fp32"
    bias: bool = True                                  # False: count weights only (cs231n, Michigan)
    bn_stats: Literal["pytorch", "keras"] = "pytorch"  # keras: running mean/var are non-trainable params
    count_input: bool = True                           # the input tensor is part of activation memory
    count_views: bool = False                          # views (flatten, an identity pool) hold a copy (Michigan)
    units: Literal["iec", "si"] = "iec"                # iec: KiB = 1024 B (the slides' "KB"); si: kB = 1000 B
    layout: Literal["hwc", "chw"] = "hwc"              # how shapes are displayed (JSON is always channels-first)
    optimizer: Literal["sgd", "momentum", "adam"] = "adam"

    @property
    def bytes_per_element(self) -> int:
        return DTYPE_BYTES[self.dtype]

    def as_dict(self) -> dict:
        """The JSON `conventions` object: the switches plus the fixed rules behind every count."""
        data = asdict(self)
        data.update(
            macs="conv: Hout*Wout*Cout*(Cin/groups)*Kh*Kw; dense: in*out; biases not counted; per batch",
            flops="2 * MACs",
            output_size="floor((W + 2P - D*(K-1) - 1)/S) + 1 (ceil with ceil_mode); 'same' = ceil(W/S)",
            activation_memory="output elements x batch x bytes per element, for each layer that holds memory: "
                              "dropout and identity never; views (flatten, an adaptive pool to its input's own size) "
                              "only with count_views",
            training_memory=f"2 x forward activations + parameters + gradients + "
                            f"{OPTIMIZER_STATE[self.optimizer]} optimizer value(s) per trainable parameter",
        )
        return data

    def describe(self) -> list[str]:
        """Short human sentences for the footer of a table."""
        unit = "KiB/MiB (1024; the slides' \"KB\")" if self.units == "iec" else "kB/MB (1000)"
        return [
            f"batch {self.batch}, {self.dtype} ({self.bytes_per_element} B/value); memory in {unit}; "
            f"input {'counted' if self.count_input else 'not counted'} in activation memory"
            + ("; views (flatten) counted" if self.count_views else ""),
            f"params {'with' if self.bias else 'without'} biases; batchnorm running stats "
            f"{'counted as non-trainable params (Keras)' if self.bn_stats == 'keras' else 'not params (PyTorch)'}",
            "MACs = multiply-accumulates of conv and dense layers (torchvision's \"GFLOPS\"); FLOPs = 2 x MACs",
        ]
