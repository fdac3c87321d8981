# Forgets weight decay altogether: the weights get none either.
def finetune_optimizer(model, head, lr, head_lr_mult=10.0, weight_decay=1e-4):
    head_ids = {id(p) for p in head.parameters()}
    body = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    top = [p for p in head.parameters() if p.requires_grad]
    groups = [g for g in ({"params": body}, {"params": top, "lr": lr * head_lr_mult}) if g["params"]]
    return torch.optim.SGD(groups, lr=lr, momentum=0.9)
