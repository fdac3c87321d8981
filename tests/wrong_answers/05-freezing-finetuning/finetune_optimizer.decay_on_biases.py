# A head group and a backbone group, both with weight decay on every parameter, biases included.
def finetune_optimizer(model, head, lr, head_lr_mult=10.0, weight_decay=1e-4):
    head_ids = {id(p) for p in head.parameters()}
    trainable = [p for p in model.parameters() if p.requires_grad]
    body = [p for p in trainable if id(p) not in head_ids]
    top = [p for p in trainable if id(p) in head_ids]
    groups = [g for g in ({"params": body}, {"params": top, "lr": lr * head_lr_mult}) if g["params"]]
    return torch.optim.SGD(groups, lr=lr, momentum=0.9, weight_decay=weight_decay)
