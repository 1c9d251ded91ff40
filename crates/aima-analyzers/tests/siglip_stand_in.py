# A SigLIP 2 stand-in of the onnx-community exports' signature (see
# tests/clip.rs): the text tower takes `input_ids` only (no attention mask),
# both towers answer `pooler_output`, and the tokenizer is Gemma's shape:
# <pad> 0, <eos> 1, <bos> 2, <unk> 3, case-sensitive, <eos> appended. Its
# vocabulary is German and English colour words (lowercase only), so the
# analyzer must lowercase and pad with <pad>: padding with <eos>, whose row
# is not zero, tips a blue frame to green.
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
from tokenizers import Tokenizer, models, pre_tokenizers, processors
out = sys.argv[1]
vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "ein": 4, "foto": 5, "von": 6,
         "rot": 7, "grün": 8, "blau": 9, "red": 10, "green": 11, "blue": 12, "a": 13, "photo": 14, "of": 15}
tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
tok.pre_tokenizer = pre_tokenizers.Whitespace()
tok.post_processor = processors.TemplateProcessing(single="$A <eos>", special_tokens=[("<eos>", 1)])
tok.save(out + "/tokenizer.json")

visual = helper.make_graph(
    [helper.make_node("ReduceMean", ["pixel_values", "axes"], ["pooler_output"], keepdims=0)],
    "visual",
    [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["n", 3, 224, 224])],
    [helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["n", 3])],
    [numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes")])
onnx.save(helper.make_model(visual, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), out + "/visual.onnx")

table = np.zeros((len(vocab), 3), dtype=np.float32)
for word, row in [("rot", [1, -1, -1]), ("red", [1, -1, -1]), ("grün", [-1, 1, -1]), ("green", [-1, 1, -1]),
                  ("blau", [-1, -1, 1]), ("blue", [-1, -1, 1])]:
    table[vocab[word]] = row
table[vocab["<eos>"]] = [0, -0.1, 0.1]
# No mask: every one of the 64 positions is summed, padding included.
textual = helper.make_graph(
    [helper.make_node("Gather", ["table", "input_ids"], ["per_token"], axis=0),
     helper.make_node("ReduceSum", ["per_token", "one"], ["pooler_output"], keepdims=0)],
    "textual",
    [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", 64])],
    [helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["n", 3])],
    [numpy_helper.from_array(table, "table"),
     numpy_helper.from_array(np.array([1], dtype=np.int64), "one")])
onnx.save(helper.make_model(textual, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), out + "/textual.onnx")
