#!/usr/bin/python3
"""Tiny random encoder models for the Inference API's tasks, with reference answers.

Usage: /usr/bin/python3 inference_tasks_ref.py OUT_DIR KIND    (KIND: tok qa mlm nli st)

Writes OUT_DIR/KIND/ (a model repo in Hugging Face layout with a card naming its
pipeline_tag; `nli` also writes OUT_DIR/nli2/, the same weights with the entailment label
first; `st` also OUT_DIR/plain/, its encoder without the sentence-transformers files) and
OUT_DIR/KIND.cases.json: {"http": [{name, repo, route, body, expect}],
"js": [{name, repo, route, method, args, expect}]}. Each `expect` is what the API must answer,
computed here in float64 with the torch reference encoder of tests/inference/make_fixtures.py
and a Python re-statement of transformers' pipeline post-processing (token-classification,
question-answering, fill-mask, zero-shot-classification, sentence-transformers pooling); the
tokenizer re-statement is in inference_ref_common.py.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inference_ref_common import (CLS, MASK, MAX_POS, SEP, UNK, VOCAB, VOCAB_SIZE,  # noqa: E402
                                  decode, forward, mf, tokenize, tokens_to_string, weights, write_repo)


# ---- token-classification ---------------------------------------------------------------------

TOK_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def tag(label):
    if label.startswith("B-"):
        return "B", label[2:]
    if label.startswith("I-"):
        return "I", label[2:]
    return "I", label


def token_classification(cfg, W, text, agg="simple", ignore=("O",), stride=None):
    toks = tokenize(text)
    if stride is None:
        return _classify(cfg, W, text, toks[:MAX_POS - 2], agg, ignore)  # truncation=True
    room, out, start = MAX_POS - 2, [], 0
    while True:  # overflowing windows, `stride` tokens shared, each classified on its own
        stop = min(start + room, len(toks))
        out += _classify(cfg, W, text, toks[start:stop], agg, ignore)
        if stop == len(toks):
            break
        start += room - stride
    if start == 0 or not out:
        return out
    out = sorted(out, key=lambda e: e["start"])
    merged, prev = [], out[0]
    for e in out:  # overlapping entities: the longer span wins, then the higher score
        if prev["start"] <= e["start"] < prev["end"]:
            if e["end"] - e["start"] > prev["end"] - prev["start"] or \
                    (e["end"] - e["start"] == prev["end"] - prev["start"] and e["score"] > prev["score"]):
                prev = e
        else:
            merged.append(prev)
            prev = e
    return merged + [prev]


def _classify(cfg, W, text, toks, agg, ignore):
    ids = [CLS] + [t[0] for t in toks] + [SEP]
    x, W64 = forward(cfg, W, "bert.", ids)
    probs = mf.lin(W64, "classifier", x).softmax(-1)
    pre = []
    for k, (tid, tok, s, e, _) in enumerate(toks):
        word, ref = tok, text[s:e]
        sub = len(word) != len(ref)
        if tid == UNK:
            word, sub = ref, False
        pre.append(dict(word=word, scores=probs[k + 1], start=s, end=e, index=k + 1, is_subword=sub))
    if agg in ("none", "simple"):
        ents = []
        for p in pre:
            i = int(p["scores"].argmax())
            ents.append(dict(entity=TOK_LABELS[i], score=float(p["scores"][i]), index=p["index"],
                             word=p["word"], start=p["start"], end=p["end"]))
        if agg == "none":
            return [e for e in ents if e["entity"] not in ignore]
    else:
        groups = []
        for p in pre:
            if groups and p["is_subword"]:
                groups[-1].append(p)
            else:
                groups.append([p])
        ents = []
        for g in groups:
            if agg == "first":
                sc = g[0]["scores"]
            elif agg == "max":
                sc = max(g, key=lambda p: float(p["scores"].max()))["scores"]
            else:
                sc = torch.stack([p["scores"] for p in g]).mean(0)
            i = int(sc.argmax())
            ents.append(dict(entity=TOK_LABELS[i], score=float(sc[i]), start=g[0]["start"], end=g[-1]["end"],
                             word=tokens_to_string([p["word"] for p in g])))
    out, cur = [], []
    def close():
        out.append(dict(entity_group=cur[0]["entity"].split("-", 1)[-1],
                        score=sum(e["score"] for e in cur) / len(cur),
                        word=tokens_to_string([e["word"] for e in cur]), start=cur[0]["start"], end=cur[-1]["end"]))
    for e in ents:
        if cur and tag(e["entity"])[1] == tag(cur[-1]["entity"])[1] and tag(e["entity"])[0] != "B":
            cur.append(e)
        else:
            if cur:
                close()
            cur = [e]
    if cur:
        close()
    return [e for e in out if e["entity_group"] not in ignore]


def make_tok(out):
    cfg, W = weights(101, "bert.", "tok", len(TOK_LABELS))
    cfg = dict(cfg, id2label={str(i): l for i, l in enumerate(TOK_LABELS)},
               label2id={l: i for i, l in enumerate(TOK_LABELS)})
    write_repo(os.path.join(out, "tok"), cfg, W, "BertForTokenClassification",
               "pipeline_tag: token-classification\nlibrary_name: transformers\n")
    texts = ["Sarah Jessica Parker lives in New York, my name is Wolfgang.",
             "Unbelievable! The cats sated on a mat in Café Berlin and Zzyzx Paris.",
             "who does live in london? the dog walked unbelievably"]
    http, js = [], []
    for agg in ("none", "simple", "first", "average", "max"):
        for i, t in enumerate(texts):
            http.append(dict(name=f"token-classification {agg} #{i}", repo="tok", route="",
                             body={"inputs": t, "parameters": {"aggregation_strategy": agg}},
                             expect=token_classification(cfg, W, t, agg)))
    http.append(dict(name="token-classification default (simple)", repo="tok", route="", body={"inputs": texts[1]},
                     expect=token_classification(cfg, W, texts[1], "simple")))
    for agg, ign in (("simple", []), ("none", ["O", "B-PER"]), ("average", ["LOC"])):
        http.append(dict(name=f"token-classification {agg} ignore_labels={ign}", repo="tok", route="",
                         body={"inputs": texts[0], "parameters": {"aggregation_strategy": agg, "ignore_labels": ign}},
                         expect=token_classification(cfg, W, texts[0], agg, ign)))
    http.append(dict(name="token-classification batched list", repo="tok", route="",
                     body={"inputs": texts, "parameters": {"aggregation_strategy": "first"}},
                     expect=[token_classification(cfg, W, t, "first") for t in texts]))
    long_text = " ".join(texts) * 2
    assert len(tokenize(long_text)) > MAX_POS
    http.append(dict(name="token-classification input longer than the model (truncated)", repo="tok", route="",
                     body={"inputs": long_text, "parameters": {"aggregation_strategy": "average"}},
                     expect=token_classification(cfg, W, long_text, "average")))
    for agg, stride in (("simple", 10), ("first", 0), ("max", 25)):
        http.append(dict(name=f"token-classification stride={stride} {agg} (overlapping windows)", repo="tok", route="",
                         body={"inputs": long_text, "parameters": {"aggregation_strategy": agg, "stride": stride}},
                         expect=token_classification(cfg, W, long_text, agg, stride=stride)))
    for agg in ("simple", "max"):
        js.append(dict(name=f"tokenClassification {agg}", repo="tok", route="", method="tokenClassification",
                       args={"inputs": texts[1], "parameters": {"aggregation_strategy": agg}},
                       expect=token_classification(cfg, W, texts[1], agg)))
    return http, js


# ---- question-answering -----------------------------------------------------------------------

def question_answering(cfg, W, question, context, top_k=1, max_answer_len=15, impossible=False,
                       doc_stride=None, align=True):
    q = tokenize(question)
    c = tokenize(context)
    max_seq = min(MAX_POS, 384)
    stride = min(max_seq // 2, 128) if doc_stride is None else doc_stride
    room = max_seq - len(q) - 3
    windows, start = [], 0
    while True:  # the tokenizers library's overflow: windows of `room` tokens, `stride` shared
        stop = min(start + room, len(c))
        windows.append(c[start:stop])
        if stop == len(c):
            break
        start += room - stride
    answers, null = [], 1e6
    for win in windows:
        ids = [CLS] + [t[0] for t in q] + [SEP] + [t[0] for t in win] + [SEP]
        types = [0] * (len(q) + 2) + [1] * (len(win) + 1)
        x, W64 = forward(cfg, W, "bert.", ids, types)
        logits = mf.lin(W64, "qa_outputs", x)
        n = len(ids)
        first = len(q) + 2
        desired = torch.zeros(n, dtype=torch.bool)
        desired[first:first + len(win)] = True
        desired[0] = True  # p_mask leaves [CLS] open
        ps = torch.where(desired, logits[:, 0], torch.tensor(-10000.0, dtype=torch.float64)).softmax(-1)
        pe = torch.where(desired, logits[:, 1], torch.tensor(-10000.0, dtype=torch.float64)).softmax(-1)
        if impossible:
            null = min(null, float(ps[0] * pe[0]))
        ps[0] = pe[0] = 0.0
        outer = torch.triu(ps[:, None] * pe[None, :])
        outer = torch.tril(outer, max_answer_len - 1)
        flat = outer.flatten()
        order = torch.argsort(-flat, stable=True)[:top_k]
        undesired_pm = torch.zeros(n, dtype=torch.bool)
        undesired_pm[first:first + len(win)] = True  # p_mask == 0 except [CLS], which is 0 too
        undesired_pm[0] = True
        for k in order.tolist():
            s, e = divmod(k, n)
            if not (undesired_pm[s] and undesired_pm[e]):
                continue
            score = float(outer[s, e])
            def span(t):
                tok = win[t - first] if first <= t < first + len(win) else None
                return tok
            ts, te = span(s), span(e)
            if ts is None or te is None:  # [CLS]: its offsets are (0, 0)
                b = ts[2] if ts else 0
                f = te[3] if te else 0
            elif align:
                b = min(t[2] for t in win if t[4] == ts[4])
                f = max(t[3] for t in win if t[4] == te[4])
            else:
                b, f = ts[2], te[3]
            text = context[b:f]
            same = [a for a in answers if a["answer"].lower() == text.lower()]
            if same:
                same[0]["score"] += score
            else:
                answers.append(dict(score=score, start=b, end=f, answer=text))
    if impossible:
        answers.append(dict(score=null, start=0, end=0, answer=""))
    answers = sorted(answers, key=lambda a: -a["score"])[:top_k]
    return answers[0] if len(answers) == 1 else answers


def make_qa(out):
    cfg, W = weights(214, "bert.", "qa")  # a seed whose null answer ranks second below
    write_repo(os.path.join(out, "qa"), cfg, W, "BertForQuestionAnswering",
               "pipeline_tag: question-answering\nlibrary_name: transformers\n")
    ctx = "My name is Wolfgang and I live in Berlin. Sarah Jessica Parker lives in New York."
    long_ctx = ("The cat sat on the mat in Paris, the capital of France. " * 4 +
                "My name is Wolfgang and I live in Berlin. Unbelievable cats walked in London! " * 2)
    qs = ["where does wolfgang live?", "who lives in new york?"]
    http, js = [], []
    def case(name, question, context, **kw):
        params = {k: v for k, v in kw.items()}
        ref = question_answering(cfg, W, question, context, **{
            {"handle_impossible_answer": "impossible", "align_to_words": "align"}.get(k, k): v for k, v in kw.items()})
        http.append(dict(name="question-answering " + name, repo="qa", route="",
                         body={"inputs": {"question": question, "context": context}, "parameters": params},
                         expect=ref))
        return ref
    case("default", qs[0], ctx)
    case("top_k=3", qs[1], ctx, top_k=3)
    case("top_k=4 max_answer_len=2", qs[0], ctx, top_k=4, max_answer_len=2)
    ref = case("handle_impossible_answer top_k=3", qs[0], ctx, top_k=3, handle_impossible_answer=True)
    assert any(a["answer"] == "" for a in ref), ref  # the null answer must be in the comparison
    case("align_to_words=false top_k=3", qs[0], long_ctx[:120], top_k=3, align_to_words=False)
    case("code point offsets (non-ASCII context) top_k=3", "who lives in paris?",
         "Ünbelievable: Sarah lives at the Café au lait in Paris, my name is Wolfgang.", top_k=3)
    batch = [{"question": qs[0], "context": ctx}, {"question": qs[1], "context": long_ctx}]
    http.append(dict(name="question-answering batched list top_k=2", repo="qa", route="",
                     body={"inputs": batch, "parameters": {"top_k": 2}},
                     expect=[question_answering(cfg, W, b["question"], b["context"], top_k=2) for b in batch]))
    http.append(dict(name="question-answering list of one is answered as one", repo="qa", route="",
                     body={"inputs": batch[:1]}, expect=question_answering(cfg, W, qs[0], ctx)))
    n_tokens = len(tokenize(long_ctx))
    assert n_tokens > 2 * MAX_POS, n_tokens
    case(f"long context ({n_tokens} tokens, default doc_stride)", qs[0], long_ctx, top_k=3)
    case("long context doc_stride=5 top_k=5", qs[1], long_ctx, top_k=5, doc_stride=5)
    case("long context doc_stride=3 top_k=10 max_answer_len=3", qs[1], long_ctx, top_k=10, doc_stride=3,
         max_answer_len=3)
    case("long context handle_impossible_answer", qs[0], long_ctx, handle_impossible_answer=True, top_k=2)
    ref = question_answering(cfg, W, qs[0], long_ctx, top_k=1)
    js.append(dict(name="questionAnswering long context", repo="qa", route="", method="questionAnswering",
                   args={"inputs": {"question": qs[0], "context": long_ctx}}, expect=ref))
    ref = question_answering(cfg, W, qs[1], ctx, top_k=3)
    js.append(dict(name="questionAnswering top_k=3 (client keeps the first)", repo="qa", route="",
                   method="questionAnswering",
                   args={"inputs": {"question": qs[1], "context": ctx}, "parameters": {"top_k": 3}}, expect=ref[0]))
    return http, js


# ---- fill-mask --------------------------------------------------------------------------------

def fill_mask(cfg, W, text, top_k=5, targets=None):
    toks = tokenize(text)
    ids = [CLS] + [t[0] for t in toks] + [SEP]
    x, W64 = forward(cfg, W, "bert.", ids)
    t = mf.ln(W64, "cls.predictions.transform.LayerNorm",
              mf.act("gelu", mf.lin(W64, "cls.predictions.transform.dense", x)), 1e-12)
    logits = F.linear(t, W64["cls.predictions.decoder.weight"], W64["cls.predictions.bias"])
    masks = [i for i, v in enumerate(ids) if v == MASK]
    cand = list(range(VOCAB_SIZE))
    if targets is not None:
        cand = []
        for tg in targets:
            i = VOCAB.get(tg)
            if i is None:
                tt = tokenize(tg)
                if not tt:
                    continue
                i = tt[0][0]
            if i not in cand:
                cand.append(i)
    k = min(top_k, len(cand))
    single = len(masks) == 1
    rows = []
    for m in masks:
        p = logits[m].softmax(-1)
        best = sorted(cand, key=lambda i: -float(p[i]))[:k]
        row = []
        for i in best:
            seq = [i if j == m else v for j, v in enumerate(ids)]
            row.append(dict(score=float(p[i]), token=i, token_str=decode([i], False),
                            sequence=decode([v for v in seq if v != 0], single)))
        rows.append(row)
    return rows[0] if single else rows


def make_mlm(out):
    cfg, W = weights(303, "bert.", "mlm")
    write_repo(os.path.join(out, "mlm"), cfg, W, "BertForMaskedLM",
               "pipeline_tag: fill-mask\nlibrary_name: transformers\n")
    texts = ["paris is the [MASK] of france.", "The cat sat on the [MASK]!",
             "Sarah [MASK] lives in [MASK] york, Zzyzx."]
    http, js = [], []
    for i, t in enumerate(texts):
        http.append(dict(name=f"fill-mask default #{i}", repo="mlm", route="", body={"inputs": t},
                         expect=fill_mask(cfg, W, t)))
    http.append(dict(name="fill-mask top_k=2", repo="mlm", route="", body={"inputs": texts[0], "parameters": {"top_k": 2}},
                     expect=fill_mask(cfg, W, texts[0], 2)))
    targets = ["capital", "Paris", "London", "unbelievable", "dog", "capital"]
    http.append(dict(name="fill-mask targets (exact, cased, split, repeated)", repo="mlm", route="",
                     body={"inputs": texts[0], "parameters": {"targets": targets, "top_k": 10}},
                     expect=fill_mask(cfg, W, texts[0], 10, targets)))
    http.append(dict(name="fill-mask targets top_k=2", repo="mlm", route="",
                     body={"inputs": texts[1], "parameters": {"targets": targets, "top_k": 2}},
                     expect=fill_mask(cfg, W, texts[1], 2, targets)))
    http.append(dict(name="fill-mask two masks", repo="mlm", route="", body={"inputs": texts[2], "parameters": {"top_k": 3}},
                     expect=fill_mask(cfg, W, texts[2], 3)))
    http.append(dict(name="fill-mask batched list", repo="mlm", route="", body={"inputs": texts[:2]},
                     expect=[fill_mask(cfg, W, t) for t in texts[:2]]))
    js.append(dict(name="fillMask", repo="mlm", route="", method="fillMask", args={"inputs": texts[0]},
                   expect=fill_mask(cfg, W, texts[0])))
    js.append(dict(name="fillMask targets", repo="mlm", route="", method="fillMask",
                   args={"inputs": texts[1], "parameters": {"targets": targets[:4]}},
                   expect=fill_mask(cfg, W, texts[1], 5, targets[:4])))
    return http, js


# ---- zero-shot-classification -----------------------------------------------------------------

NLI = ["contradiction", "neutral", "entailment"]
NLI2 = ["ENTAILMENT", "NEUTRAL", "CONTRADICTION"]  # entailment first: contradiction is the last


def zero_shot(cfg, W, labels_order, text, labels, template="This example is {}.", multi=False):
    ent = next((i for i, l in enumerate(labels_order) if l.lower().startswith("entail")), -1)
    con = -1 if ent == 0 else 0
    rows = []
    for lab in labels:
        q, h = tokenize(text), tokenize(template.format(lab))
        ids = [CLS] + [t[0] for t in q] + [SEP] + [t[0] for t in h] + [SEP]
        types = [0] * (len(q) + 2) + [1] * (len(h) + 1)
        x, W64 = forward(cfg, W, "bert.", ids, types)
        rows.append(mf.lin(W64, "classifier", torch.tanh(mf.lin(W64, "bert.pooler.dense", x[0]))))
    logits = torch.stack(rows)
    if multi or len(labels) == 1:
        scores = logits[:, [con, ent]].softmax(-1)[:, 1]
    else:
        scores = logits[:, ent].softmax(0)
    order = sorted(range(len(labels)), key=lambda i: -float(scores[i]))
    return dict(sequence=text, labels=[labels[i] for i in order], scores=[float(scores[i]) for i in order])


def make_nli(out):
    cfg, W = weights(404, "bert.", "seq")
    card = "pipeline_tag: zero-shot-classification\nlibrary_name: transformers\n"
    for name, order in (("nli", NLI), ("nli2", NLI2)):
        c = dict(cfg, id2label={str(i): l for i, l in enumerate(order)}, label2id={l: i for i, l in enumerate(order)})
        write_repo(os.path.join(out, name), c, W, "BertForSequenceClassification", card)
    texts = ["the cat sat on the mat", "Wolfgang lives in Berlin, the capital!"]
    labels = ["cat", "paris", "new york", "dog"]
    http, js = [], []
    for repo, order in (("nli", NLI), ("nli2", NLI2)):
        for multi in (False, True):
            http.append(dict(name=f"zero-shot {repo} multi_label={multi}", repo=repo, route="",
                             body={"inputs": texts[0], "parameters": {"candidate_labels": labels, "multi_label": multi}},
                             expect=zero_shot(cfg, W, order, texts[0], labels, multi=multi)))
    http.append(dict(name="zero-shot comma-separated labels + template", repo="nli", route="",
                     body={"inputs": texts[1], "parameters": {"candidate_labels": " cat, berlin ,,london",
                                                               "hypothesis_template": "where is {} ?"}},
                     expect=zero_shot(cfg, W, NLI, texts[1], ["cat", "berlin", "london"], "where is {} ?")))
    http.append(dict(name="zero-shot one label is multi-label", repo="nli", route="",
                     body={"inputs": texts[1], "parameters": {"candidate_labels": ["berlin"]}},
                     expect=zero_shot(cfg, W, NLI, texts[1], ["berlin"])))
    http.append(dict(name="zero-shot legacy multi_class", repo="nli2", route="",
                     body={"inputs": texts[1], "parameters": {"candidate_labels": labels, "multi_class": True}},
                     expect=zero_shot(cfg, W, NLI2, texts[1], labels, multi=True)))
    http.append(dict(name="zero-shot explicit task route, non-ASCII input", repo="nli", route="/pipeline/zero-shot-classification",
                     body={"inputs": "Café au lait in Paris", "parameters": {"candidate_labels": ["café", "dog"]}},
                     expect=zero_shot(cfg, W, NLI, "Café au lait in Paris", ["café", "dog"])))
    http.append(dict(name="zero-shot batched list", repo="nli", route="",
                     body={"inputs": texts, "parameters": {"candidate_labels": labels}},
                     expect=[zero_shot(cfg, W, NLI, t, labels) for t in texts]))
    for multi in (False, True):
        ref = zero_shot(cfg, W, NLI, texts[1], labels, multi=multi)
        js.append(dict(name=f"zeroShotClassification multi_label={multi}", repo="nli", route="",
                       method="zeroShotClassification",
                       args={"inputs": texts[1], "parameters": {"candidate_labels": labels, "multi_label": multi}},
                       expect=[{"label": l, "score": s} for l, s in zip(ref["labels"], ref["scores"])]))
    return http, js


# ---- sentence-transformers: feature-extraction, sentence-similarity --------------------------

def embed(cfg, W, text):
    ids = [CLS] + [t[0] for t in tokenize(text)][:MAX_POS - 2] + [SEP]  # max_seq_length
    x, _ = forward(cfg, W, "", ids)
    return F.normalize(x.mean(0), dim=0)


def make_st(out):
    cfg, W = weights(505, "", "none")
    H = cfg["hidden_size"]
    extra = {"modules.json": [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        "1_Pooling/config.json": {"word_embedding_dimension": H, "pooling_mode_cls_token": False,
                                  "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False},
        "sentence_bert_config.json": {"max_seq_length": MAX_POS, "do_lower_case": False}}
    write_repo(os.path.join(out, "st"), cfg, W, "BertModel",
               "pipeline_tag: sentence-similarity\nlibrary_name: sentence-transformers\n", extra)
    # The same encoder without the sentence-transformers files: the last hidden state.
    write_repo(os.path.join(out, "plain"), cfg, W, "BertModel", "pipeline_tag: feature-extraction\nlibrary_name: transformers\n")
    texts = ["the cat sat on the mat", "Sarah Jessica Parker lives in New York.", "hello world!"]
    src = "a dog sat on the mat"
    hidden = lambda t: [[[float(v) for v in row] for row in forward(cfg, W, "", [CLS] + [k[0] for k in tokenize(t)] + [SEP])[0]]]
    vec = lambda t: [float(v) for v in embed(cfg, W, t)]
    sims = [float(embed(cfg, W, src) @ embed(cfg, W, t)) for t in texts]
    http = [dict(name="feature-extraction (pooled, normalised)", repo="st", route="/pipeline/feature-extraction",
                 body={"inputs": texts[0]}, expect=vec(texts[0])),
            dict(name="feature-extraction batched list", repo="st", route="/pipeline/feature-extraction",
                 body={"inputs": texts}, expect=[vec(t) for t in texts]),
            dict(name="feature-extraction input longer than the model (truncated)", repo="st",
                 route="/pipeline/feature-extraction", body={"inputs": " ".join(texts) * 4},
                 expect=vec(" ".join(texts) * 4)),
            dict(name="sentence-similarity (the repo's task)", repo="st", route="",
                 body={"inputs": {"source_sentence": src, "sentences": texts}}, expect=sims),
            dict(name="sentence-similarity explicit route", repo="st", route="/pipeline/sentence-similarity",
                 body={"inputs": {"source_sentence": src, "sentences": texts}}, expect=sims)]
    http += [dict(name="feature-extraction plain model: 1 x tokens x hidden", repo="plain", route="",
                  body={"inputs": texts[2]}, expect=hidden(texts[2])),
             dict(name="feature-extraction plain model, batched list", repo="plain", route="",
                  body={"inputs": texts[:2]}, expect=[hidden(t) for t in texts[:2]])]
    js = [dict(name="featureExtraction", repo="st", route="/pipeline/feature-extraction", method="featureExtraction",
               args={"inputs": texts[1]}, expect=vec(texts[1])),
          dict(name="sentenceSimilarity", repo="st", route="/pipeline/sentence-similarity", method="sentenceSimilarity",
               args={"inputs": {"source_sentence": src, "sentences": texts}}, expect=sims)]
    return http, js


def main():
    out, kind = sys.argv[1], sys.argv[2]
    http, js = {"tok": make_tok, "qa": make_qa, "mlm": make_mlm, "nli": make_nli, "st": make_st}[kind](out)
    with open(os.path.join(out, kind + ".cases.json"), "w") as f:
        json.dump({"http": http, "js": js}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
