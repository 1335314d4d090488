"""glassml.models: architectures built on ``glassml.nn``.

Inventory: NL (architectures), DL models.
"""

from .bert import (
    BertConfig,
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
    BertModel,
    cls_pooling,
    mean_pooling,
)
from .bert_pretrain import (
    finetune_classifier,
    make_nsp_pairs,
    mask_tokens,
    pack_pairs,
    pretrain_bert,
)
from .char_lm import CharLSTM
from .cnn import DepthwiseSeparableConv2d, LeNet5, MiniVGG, ReferenceCNN, SimpleCNN, TextCNN
from .cnn_utils import receptive_field, summary
from .cyclegan import CycleGAN, cycle_consistency_loss
from .ddpm import (
    DDPM,
    ExponentialMovingAverage,
    NoiseSchedule,
    cosine_beta_schedule,
    linear_beta_schedule,
)
from .decoding import beam_search, beam_search_stateful, greedy_decode, greedy_decode_stateful
from .elmo import ELMo, ScalarMix
from .gan import (
    ConditionalDiscriminator,
    ConditionalGenerator,
    DCGANDiscriminator,
    DCGANGenerator,
    GANTrainer,
    MinibatchStdDev,
    MLPDiscriminator,
    MLPGenerator,
    discriminator_loss,
    generator_loss,
    gradient_penalty,
)
from .gpt import GPT, GPTConfig
from .gpt_train import CharTokenizer, generate_text, prepare_shakespeare, train_gpt
from .llama import Llama, LlamaConfig
from .mlp import MLP, MLPClassifier, MLPRegressor
from .multitask import (
    CrossStitchMLP,
    CrossStitchUnit,
    ImageTextNet,
    MultiOutputLoss,
    SharedBackboneMultiTask,
    UncertaintyWeightedLoss,
)
from .resnet import BasicBlock, Bottleneck, ResNet, resnet8, resnet14, resnet20
from .rnn import RNNClassifier, RNNForecaster, RNNTagger
from .sentence_encoder import SentenceEncoder, colbert_maxsim
from .seq2seq import (
    AttentionDecoder,
    Decoder,
    Encoder,
    Seq2Seq,
    exact_match,
    fit_seq2seq,
    plot_attention,
    sequence_cross_entropy,
)
from .transformer import Seq2SeqTransformer, train_seq2seq
from .unet import MLPDenoiser, UNet
from .vae import VAE, ConvVAE

__all__ = [
    "MLP",
    "MLPClassifier",
    "MLPRegressor",
    # GPT (TR-12, TR-13)
    "GPT",
    "GPTConfig",
    "CharTokenizer",
    "generate_text",
    "prepare_shakespeare",
    "train_gpt",
    # recurrent models (RN-11, TX-20) and the char-LSTM language model
    "RNNClassifier",
    "RNNForecaster",
    "RNNTagger",
    "CharLSTM",
    # seq2seq with attention and decoding (SQ-01..SQ-11), ELMo (TX-17)
    "AttentionDecoder",
    "Decoder",
    "Encoder",
    "Seq2Seq",
    "exact_match",
    "fit_seq2seq",
    "plot_attention",
    "sequence_cross_entropy",
    "beam_search",
    "beam_search_stateful",
    "greedy_decode",
    "greedy_decode_stateful",
    "ELMo",
    "ScalarMix",
    # encoder-decoder Transformer (TR-11)
    "Seq2SeqTransformer",
    "train_seq2seq",
    # Llama-style decoder with SmolLM2-135M-Instruct weights (GGUF)
    "Llama",
    "LlamaConfig",
    # BERT (TR-14..TR-18) and the all-MiniLM-L6-v2 sentence encoder
    "BertConfig",
    "BertModel",
    "BertForPreTraining",
    "BertForQuestionAnswering",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "cls_pooling",
    "mean_pooling",
    "finetune_classifier",
    "make_nsp_pairs",
    "mask_tokens",
    "pack_pairs",
    "pretrain_bert",
    "SentenceEncoder",
    "colbert_maxsim",
    # CNNs (CN-01..CN-11), residual networks, multi-input / multi-task models (NL-03..NL-05)
    "DepthwiseSeparableConv2d",
    "LeNet5",
    "MiniVGG",
    "ReferenceCNN",
    "SimpleCNN",
    "TextCNN",
    "receptive_field",
    "summary",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "resnet8",
    "resnet14",
    "resnet20",
    "CrossStitchMLP",
    "CrossStitchUnit",
    "ImageTextNet",
    "MultiOutputLoss",
    "SharedBackboneMultiTask",
    "UncertaintyWeightedLoss",
    # generative models (GN-01..GN-19)
    "ConditionalDiscriminator",
    "ConditionalGenerator",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "GANTrainer",
    "MinibatchStdDev",
    "MLPDiscriminator",
    "MLPGenerator",
    "discriminator_loss",
    "generator_loss",
    "gradient_penalty",
    "CycleGAN",
    "cycle_consistency_loss",
    "VAE",
    "ConvVAE",
    "UNet",
    "MLPDenoiser",
    "DDPM",
    "ExponentialMovingAverage",
    "NoiseSchedule",
    "cosine_beta_schedule",
    "linear_beta_schedule",
]
