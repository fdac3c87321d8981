# Builds the extractor from a deep copy: its layers no longer share weights with the model.
import copy


def feature_extractor(model):
    return nn.Sequential(*list(copy.deepcopy(model).children())[:-1], nn.Flatten())
