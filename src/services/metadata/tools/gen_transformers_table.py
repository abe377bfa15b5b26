#!/usr/bin/env python3
"""Generates generated/transformers_*_rows.inc: transformers model class -> (pipeline_tag, auto class).

Implements docs/PIPELINE_TAG.md section 3: walk the MODEL_FOR_*_MAPPING_NAMES tables in the
listed order, later entries overwriting earlier ones, then apply the project's (impl) overrides.
Raw tags that the Hub does not show (pretraining, next-sentence-prediction, ...) are kept as ""
so the resolver knows the class and falls through to card tags; text2text-generation is kept raw
so the resolver can refine it (translation/summarization) before mapping it to text-generation.

Usage:
  gen_transformers_table.py --extract path/to/modeling_auto.py > transformers_mappings.txt
  gen_transformers_table.py transformers_mappings.txt ../generated
    writes ../generated/transformers_arch_rows.inc and ../generated/transformers_auto_class_rows.inc
"""
import ast
import sys

# (pipeline_tag, mapping, auto class), in the order of PIPELINE_TAG.md section 3.
WALK = [
    ("pretraining", "MODEL_FOR_PRETRAINING_MAPPING_NAMES", "AutoModelForPreTraining"),
    ("feature-extraction", "MODEL_MAPPING_NAMES", "AutoModel"),
    ("image-feature-extraction", "MODEL_FOR_IMAGE_MAPPING_NAMES", "AutoModel"),
    ("audio-classification", "MODEL_FOR_AUDIO_CLASSIFICATION_MAPPING_NAMES", "AutoModelForAudioClassification"),
    ("text-generation", "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES", "AutoModelForCausalLM"),
    ("automatic-speech-recognition", "MODEL_FOR_CTC_MAPPING_NAMES", "AutoModelForCTC"),
    ("image-classification", "MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES", "AutoModelForImageClassification"),
    ("image-segmentation", "MODEL_FOR_IMAGE_SEGMENTATION_MAPPING_NAMES", "AutoModelForImageSegmentation"),
    ("image-text-to-text", "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES", "AutoModelForImageTextToText"),
    ("any-to-any", "MODEL_FOR_MULTIMODAL_LM_MAPPING_NAMES", "AutoModelForMultimodalLM"),
    ("image-to-image", "MODEL_FOR_IMAGE_TO_IMAGE_MAPPING_NAMES", "AutoModelForImageToImage"),
    ("fill-mask", "MODEL_FOR_MASKED_LM_MAPPING_NAMES", "AutoModelForMaskedLM"),
    ("object-detection", "MODEL_FOR_OBJECT_DETECTION_MAPPING_NAMES", "AutoModelForObjectDetection"),
    ("zero-shot-object-detection", "MODEL_FOR_ZERO_SHOT_OBJECT_DETECTION_MAPPING_NAMES",
     "AutoModelForZeroShotObjectDetection"),
    ("question-answering", "MODEL_FOR_QUESTION_ANSWERING_MAPPING_NAMES", "AutoModelForQuestionAnswering"),
    ("text2text-generation", "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES", "AutoModelForSeq2SeqLM"),
    ("text-classification", "MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES", "AutoModelForSequenceClassification"),
    ("automatic-speech-recognition", "MODEL_FOR_SPEECH_SEQ_2_SEQ_MAPPING_NAMES", "AutoModelForSpeechSeq2Seq"),
    ("table-question-answering", "MODEL_FOR_TABLE_QUESTION_ANSWERING_MAPPING_NAMES",
     "AutoModelForTableQuestionAnswering"),
    ("token-classification", "MODEL_FOR_TOKEN_CLASSIFICATION_MAPPING_NAMES", "AutoModelForTokenClassification"),
    ("multiple-choice", "MODEL_FOR_MULTIPLE_CHOICE_MAPPING_NAMES", "AutoModelForMultipleChoice"),
    ("next-sentence-prediction", "MODEL_FOR_NEXT_SENTENCE_PREDICTION_MAPPING_NAMES",
     "AutoModelForNextSentencePrediction"),
    ("audio-frame-classification", "MODEL_FOR_AUDIO_FRAME_CLASSIFICATION_MAPPING_NAMES",
     "AutoModelForAudioFrameClassification"),
    ("audio-xvector", "MODEL_FOR_AUDIO_XVECTOR_MAPPING_NAMES", "AutoModelForAudioXVector"),
    ("document-question-answering", "MODEL_FOR_DOCUMENT_QUESTION_ANSWERING_MAPPING_NAMES",
     "AutoModelForDocumentQuestionAnswering"),
    ("visual-question-answering", "MODEL_FOR_VISUAL_QUESTION_ANSWERING_MAPPING_NAMES",
     "AutoModelForVisualQuestionAnswering"),
    ("image-to-text", "MODEL_FOR_VISION_2_SEQ_MAPPING_NAMES", "AutoModelForVision2Seq"),
    ("zero-shot-image-classification", "MODEL_FOR_ZERO_SHOT_IMAGE_CLASSIFICATION_MAPPING_NAMES",
     "AutoModelForZeroShotImageClassification"),
    ("depth-estimation", "MODEL_FOR_DEPTH_ESTIMATION_MAPPING_NAMES", "AutoModelForDepthEstimation"),
    ("video-classification", "MODEL_FOR_VIDEO_CLASSIFICATION_MAPPING_NAMES", "AutoModelForVideoClassification"),
    ("mask-generation", "MODEL_FOR_MASK_GENERATION_MAPPING_NAMES", "AutoModelForMaskGeneration"),
    ("text-to-audio", "MODEL_FOR_TEXT_TO_SPECTROGRAM_MAPPING_NAMES", "AutoModelForTextToSpectrogram"),
    ("text-to-audio", "MODEL_FOR_TEXT_TO_WAVEFORM_MAPPING_NAMES", "AutoModelForTextToWaveform"),
    ("keypoint-matching", "MODEL_FOR_KEYPOINT_MATCHING_MAPPING_NAMES", "AutoModelForKeypointMatching"),
]

# Raw results the Hub never shows: the class stays known, with no tag.
NOT_ON_HUB = {"pretraining", "next-sentence-prediction", "audio-frame-classification", "audio-xvector",
              "keypoint-matching"}

# (impl) PIPELINE_TAG.md section 3 exceptions. Captioning models stay image-to-text; every other
# class of the image-text-to-text map that the raw walk sent to any-to-any or image-to-text becomes
# image-text-to-text; audio LMs become audio-text-to-text.
IMAGE_TO_TEXT_CAPTIONERS = {"BlipForConditionalGeneration", "Blip2ForConditionalGeneration",
                            "Pix2StructForConditionalGeneration", "GitForCausalLM", "VisionEncoderDecoderModel"}
AUDIO_TEXT_TO_TEXT = {"Qwen2AudioForConditionalGeneration", "VoxtralForConditionalGeneration",
                      "AudioFlamingo3ForConditionalGeneration"}


def extract(path):
    """Prints the mapping tables of a modeling_auto.py in the transformers_mappings.txt format."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        call = node.value
        if not (name.startswith("MODEL_") and name.endswith("_NAMES") and isinstance(call, ast.Call)
                and getattr(call.func, "id", "") == "OrderedDict" and call.args):
            continue
        print(f"\n@{name}")
        names = []
        for elt in call.args[0].elts:
            if isinstance(elt, ast.Starred):  # *list(OTHER.items())
                src = elt.value.args[0].func.value.id
                print(f"+{src}")
                continue
            value = ast.literal_eval(elt.elts[1])
            names.extend([value] if isinstance(value, str) else list(value))
        print(" ".join(names))


def load(path):
    mappings, current = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            current = mappings.setdefault(line[1:], [])
        elif line.startswith("+"):
            current.extend(mappings[line[1:]])
        else:
            current.extend(line.split())
    return mappings


def build(mappings):
    table = {}
    for tag, mapping, auto_class in WALK:
        for cls in mappings.get(mapping, []):
            table[cls] = (tag, auto_class)
    itt = set(mappings.get("MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES", []))
    for cls, (tag, auto_class) in list(table.items()):
        if cls in IMAGE_TO_TEXT_CAPTIONERS:
            table[cls] = ("image-to-text", "AutoModelForVision2Seq")
        elif cls in AUDIO_TEXT_TO_TEXT:
            table[cls] = ("audio-text-to-text", auto_class)
        elif cls in itt and tag in ("any-to-any", "image-to-text"):
            table[cls] = ("image-text-to-text", "AutoModelForImageTextToText")
        elif tag in NOT_ON_HUB:
            table[cls] = ("", auto_class)
    return table


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--extract":
        extract(sys.argv[2])
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mappings = load(sys.argv[1])
    table = build(mappings)
    auto_tags = {}
    for tag, _, auto_class in WALK:  # first tag per auto class (AutoModel -> feature-extraction)
        auto_tags.setdefault(auto_class, "" if tag in NOT_ON_HUB else tag)
    header = "// Generated by tools/gen_transformers_table.py from tools/transformers_mappings.txt. Do not edit.\n"
    with open(f"{sys.argv[2]}/transformers_arch_rows.inc", "w", encoding="utf-8") as out:
        out.write(header)
        out.write('// {model class, raw pipeline_tag ("" = known class, no Hub tag), auto class}, sorted by class.\n')
        for cls in sorted(table):
            tag, auto_class = table[cls]
            out.write(f'{{"{cls}", "{tag}", "{auto_class}"}},\n')
    with open(f"{sys.argv[2]}/transformers_auto_class_rows.inc", "w", encoding="utf-8") as out:
        out.write(header)
        out.write("// {auto class, raw pipeline_tag}, sorted by auto class.\n")
        for auto_class in sorted(auto_tags):
            out.write(f'{{"{auto_class}", "{auto_tags[auto_class]}"}},\n')

if __name__ == "__main__":
    main()
