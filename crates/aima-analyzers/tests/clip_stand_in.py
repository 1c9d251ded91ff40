# A CLIP stand-in of the usual ONNX exports' signature (see tests/clip.rs);
# its output folder is the first argument. Also built by the API tests of
# similar media.
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
out = sys.argv[1]
vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "<unk>": 2, "a": 3, "photo": 4, "of": 5,
         "red": 6, "green": 7, "blue": 8}
tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
tok.normalizer = normalizers.Lowercase()
tok.pre_tokenizer = pre_tokenizers.Whitespace()
tok.post_processor = processors.TemplateProcessing(
    single="<|startoftext|> $A <|endoftext|>",
    special_tokens=[("<|startoftext|>", 0), ("<|endoftext|>", 1)])
tok.save(out + "/tokenizer.json")

visual = helper.make_graph(
    [helper.make_node("ReduceMean", ["pixel_values", "axes"], ["image_embeds"], keepdims=0)],
    "visual",
    [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["n", 3, 224, 224])],
    [helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["n", 3])],
    [numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes")])
onnx.save(helper.make_model(visual, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), out + "/visual.onnx")

table = np.zeros((len(vocab), 3), dtype=np.float32)
table[6] = [1, -1, -1]; table[7] = [-1, 1, -1]; table[8] = [-1, -1, 1]
table[4] = [-1, 1, 1]; table[1] = [0.1, 0, 0]
textual = helper.make_graph(
    [helper.make_node("Gather", ["table", "input_ids"], ["per_token"], axis=0),
     helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
     helper.make_node("Unsqueeze", ["maskf", "two"], ["mask3"]),
     helper.make_node("Mul", ["per_token", "mask3"], ["kept"]),
     helper.make_node("ReduceSum", ["kept", "one"], ["text_embeds"], keepdims=0)],
    "textual",
    [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", 77]),
     helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["n", 77])],
    [helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["n", 3])],
    [numpy_helper.from_array(table, "table"),
     numpy_helper.from_array(np.array([2], dtype=np.int64), "two"),
     numpy_helper.from_array(np.array([1], dtype=np.int64), "one")])
onnx.save(helper.make_model(textual, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), out + "/textual.onnx")
