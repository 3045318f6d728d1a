"""Builds small TFLite models, one operator each, to test kernels that no fixture model uses.

Uses the flatbuffer schema bindings that ship with the `ai-edge-litert` package, so the models
are written exactly as TFLite's converter writes them.
"""

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

TYPES = {
    np.float32: schema.TensorType.FLOAT32,
    np.int8: schema.TensorType.INT8,
    np.uint8: schema.TensorType.UINT8,
    np.int16: schema.TensorType.INT16,
    np.int32: schema.TensorType.INT32,
}


class ModelBuilder:
    """Collects tensors, buffers and one or more operators, then serializes a model."""

    def __init__(self):
        self.tensors = []
        self.buffers = [schema.BufferT()]  # buffer 0 is the empty buffer
        self.operators = []
        self.opcodes = []
        self.inputs = []
        self.outputs = []

    def tensor(self, name, dtype, shape, data=None, scale=None, zero_point=None,
               quantized_dimension=0, variable=False):
        """Adds a tensor; `data` makes it a constant. Returns its index."""
        tensor = schema.TensorT()
        tensor.name = name
        tensor.type = TYPES[dtype]
        tensor.shape = list(shape)
        tensor.isVariable = variable
        if data is not None:
            buffer = schema.BufferT()
            buffer.data = np.asarray(data, dtype=dtype).reshape(-1).tobytes()
            self.buffers.append(buffer)
            tensor.buffer = len(self.buffers) - 1
        else:
            tensor.buffer = 0
        if scale is not None:
            q = schema.QuantizationParametersT()
            q.scale = list(np.atleast_1d(np.asarray(scale, dtype=np.float32)))
            zp = zero_point if zero_point is not None else 0
            q.zeroPoint = list(np.atleast_1d(np.asarray(zp, dtype=np.int64)))
            q.quantizedDimension = quantized_dimension
            tensor.quantization = q
        self.tensors.append(tensor)
        return len(self.tensors) - 1

    def operator(self, code, inputs, outputs, options_type=0, options=None):
        if code not in self.opcodes:
            self.opcodes.append(code)
        op = schema.OperatorT()
        op.opcodeIndex = self.opcodes.index(code)
        op.inputs = list(inputs)
        op.outputs = list(outputs)
        op.builtinOptionsType = options_type
        op.builtinOptions = options
        self.operators.append(op)

    def finish(self):
        codes = []
        for code in self.opcodes:
            opcode = schema.OperatorCodeT()
            opcode.builtinCode = code
            opcode.deprecatedBuiltinCode = min(code, 127)
            opcode.version = 1
            codes.append(opcode)
        graph = schema.SubGraphT()
        graph.tensors = self.tensors
        graph.operators = self.operators
        graph.inputs = self.inputs
        graph.outputs = self.outputs
        graph.name = "main"
        model = schema.ModelT()
        model.version = 3
        model.operatorCodes = codes
        model.subgraphs = [graph]
        model.buffers = self.buffers
        model.description = "built by scripts/tflite_builder.py"
        builder = flatbuffers.Builder(1024)
        builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
        return bytes(builder.Output())


def options(kind, **fields):
    """An options table of schema class `kind` (e.g. "Conv2DOptions") with fields set."""
    value = getattr(schema, kind + "T")()
    for name, field in fields.items():
        setattr(value, name, field)
    return getattr(schema.BuiltinOptions, kind), value
